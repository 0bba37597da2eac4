import COpenBLAS
import Dispatch
import Foundation

/// The smallest and largest distance between two words of a vocabulary:
/// `Δ_min = min_{i≠j} d(i, j)` and `Δ_max = max_{i≠j} d(i, j)` over all
/// `V(V − 1)/2` pairs (Mechanisms.md F2, §4.1), with d the Euclidean distance
/// of `EmbeddingStore.squaredDistance`.
///
/// The result is exactly what the naive O(V²) double-precision loop gives:
/// the same distances to the last bit and the same pairs (ties go to the
/// lexicographically smallest `(first, second)`, `first < second`).
///
/// How: BLAS screens every pair in single precision, then the few pairs that
/// could still be extreme are re-evaluated exactly. In float32, row i of a
/// tile becomes `[xᵢ, −‖xᵢ‖²/2, 1]` and column j `[xⱼ, 1, −‖xⱼ‖²/2]`, so one
/// `sgemm` with α = −2 gives the score
/// `s̃ᵢⱼ = ‖xᵢ‖² + ‖xⱼ‖² − 2⟨xᵢ, xⱼ⟩ ≈ d(i, j)²` for a whole tile.
/// With unit roundoff `u = 2⁻²⁴`, `γ_m = m·u/(1 − m·u)` and `L = max‖x‖`, the
/// float32 dot product of length D + 2 errs by at most
/// `γ_{D+2}·(‖xᵢ‖ + ‖xⱼ‖)²/2`, scaling by −2 is exact and rounding the norms
/// adds `u(‖xᵢ‖² + ‖xⱼ‖²)`, so `|s̃ᵢⱼ − d(i, j)²| ≤ e = γ_{D+8}·4L²` (with
/// slack for the double-precision reference). If `m̃` is the smallest score,
/// every pair whose exact squared distance is minimal scores at most
/// `m̃ + 2e`; symmetrically for the maximum. Only those pairs are re-ranked.
///
/// Only tiles with `j > i` are computed (symmetry); row blocks are spread
/// over all cores with BLAS single-threaded. Cost: V²·(D + 2) flops, about
/// 0.9 s for GloVe 50d at V = 50,000 and 50–55 s at V = 400,000 on two cores
/// (release build); memory V·(D + 2) floats plus the candidates, which stay
/// few unless very many pairs are tied within 2e (e.g. a regular simplex).
///
/// Duplicate vectors give `Δ_min = 0`, which is kept: mechanisms that need
/// `Δ_min > 0` refuse it.
public struct VocabularyExtent: Codable, Equatable, Sendable {
    /// Two word ids, `first < second`.
    public struct Pair: Codable, Equatable, Hashable, Sendable {
        public let first: Int
        public let second: Int

        public init(_ first: Int, _ second: Int) {
            self.first = first
            self.second = second
        }
    }

    /// Δ_min, the smallest distance between two different words (0 if two words share a vector).
    public let minimumDistance: Double
    /// Δ_max, the largest distance between two words.
    public let maximumDistance: Double
    /// The pair at Δ_min (lexicographically first among ties).
    public let closestPair: Pair
    /// The pair at Δ_max (lexicographically first among ties).
    public let farthestPair: Pair
    /// V, the number of words measured.
    public let wordCount: Int
    /// SHA-256 (hex) of the words joined by "\n": which vocabulary was measured.
    public let wordsSHA256: String
    /// SHA-256 (hex) of the store file, when known (set by `cached`).
    public var storeSHA256: String?

    /// Measures `store` exactly (see the type's documentation).
    ///
    /// - Parameter progress: called on the calling thread with the fraction done, ending with 1.
    /// - Throws: `VocabularyResourceError.tooFewWords` when V < 2 (there is no pair).
    public init(store: EmbeddingStore, progress: (Double) -> Void = { _ in }) throws {
        try self.init(store: store, rowBlock: 256, columnBlock: 512, progress: progress)
    }

    /// As `init(store:progress:)` with explicit tile sizes (tests use tiny ones).
    init(store: EmbeddingStore, rowBlock: Int, columnBlock: Int, progress: (Double) -> Void) throws {
        guard store.count >= 2 else {
            throw VocabularyResourceError.tooFewWords(count: store.count, needed: 2, resource: "the vocabulary extent")
        }
        precondition(store.count <= Int(Int32.max), "VocabularyExtent: at most 2³¹ − 1 words")
        let scan = ExtentScan(store: store, rowBlock: rowBlock, columnBlock: columnBlock)
        let (closest, farthest) = scan.run(progress: progress)
        func distance(_ pair: Pair) -> Double {
            store.vector(at: pair.first).withUnsafeBufferPointer {
                store.squaredDistance(from: $0, to: pair.second).squareRoot()
            }
        }
        self.minimumDistance = distance(closest)
        self.maximumDistance = distance(farthest)
        self.closestPair = closest
        self.farthestPair = farthest
        self.wordCount = store.count
        self.wordsSHA256 = VocabularyFingerprint.wordsSHA256(store.words)
        self.storeSHA256 = nil
    }

}

// MARK: - Cache

extension VocabularyExtent {
    /// The extent of `store`, loaded from `cache` when this user's dptext
    /// computed it before, else computed and saved there as a small JSON file.
    ///
    /// The file is keyed by the store file's SHA-256, the word count and the
    /// SHA-256 of the word list, since the vocabulary may be a prefix
    /// (`--vocab-limit`) or a filtered subset of the file; a file that is not
    /// signed by this user (`CacheFolder`), does not decode or whose keys
    /// differ is recomputed and replaced.
    ///
    /// - Throws: when the store file cannot be read, V < 2, or the cache cannot be written.
    public static func cached(
        for store: EmbeddingStore, storePath: String, cache: CacheFolder, progress: (Double) -> Void = { _ in }
    ) throws -> VocabularyExtent {
        try cached(for: store, fingerprint: VocabularyFingerprint(store: store, storePath: storePath), cache: cache,
                   progress: progress)
    }

    /// As `cached(for:storePath:cache:progress:)`, with the vocabulary's fingerprint already computed.
    public static func cached(
        for store: EmbeddingStore, fingerprint: VocabularyFingerprint, cache: CacheFolder,
        progress: (Double) -> Void = { _ in }
    ) throws -> VocabularyExtent {
        let name = fileName(fingerprint: fingerprint)
        if let data = cache.load(name), let saved = try? JSONDecoder().decode(CacheFile.self, from: data),
           saved.formatVersion == CacheFile.currentVersion,
           saved.extent.storeSHA256 == fingerprint.storeSHA256, saved.extent.wordCount == fingerprint.wordCount,
           saved.extent.wordsSHA256 == fingerprint.wordsSHA256 {
            progress(1)
            return saved.extent
        }
        let extent = try VocabularyExtent(store: store, fingerprint: fingerprint, progress: progress)
        try cache.save(name, extent.cachePayload())
        return extent
    }

    /// Computes the extent and records the store file's SHA-256 in it.
    init(store: EmbeddingStore, fingerprint: VocabularyFingerprint, progress: (Double) -> Void) throws {
        self = try VocabularyExtent(store: store, progress: progress)
        storeSHA256 = fingerprint.storeSHA256
    }

    /// The cache file's name.
    static func fileName(fingerprint: VocabularyFingerprint) -> String {
        fingerprint.fileName(kind: "vocabulary-extent", extension: "json")
    }

    /// The cache file's content: this extent as JSON.
    func cachePayload() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(CacheFile(formatVersion: CacheFile.currentVersion, extent: self))
    }

    private struct CacheFile: Codable {
        static let currentVersion = 1
        let formatVersion: Int
        let extent: VocabularyExtent
    }
}

// MARK: - Blocked scan

/// The screening pass of `VocabularyExtent` (see its documentation).
struct ExtentScan {
    let store: EmbeddingStore
    let rowBlock: Int
    let columnBlock: Int
    /// Row-major `V × (D + 2)` matrix of column rows `[x, 1, −‖x‖²/2]` in float32.
    let augmented: [Float]
    let width: Int
    /// Twice the score error bound, `2e`.
    let margin: Float

    private static let singleThreadedBLAS: Void = openblas_set_num_threads(1)

    init(store: EmbeddingStore, rowBlock: Int, columnBlock: Int) {
        _ = Self.singleThreadedBLAS
        self.store = store
        self.rowBlock = max(1, rowBlock)
        self.columnBlock = max(1, columnBlock)
        let dimension = store.dimension
        let width = dimension + 2
        self.width = width
        var augmented = [Float](repeating: 1, count: store.count * width)
        var largest = 0.0
        store.vectors.withUnsafeBufferPointer { vectors in
            for id in 0..<store.count {
                var norm = 0.0
                for j in 0..<dimension {
                    let value = vectors[id * dimension + j]
                    augmented[id * width + j] = value
                    norm += Double(value) * Double(value)
                }
                augmented[id * width + dimension + 1] = Float(-norm / 2)
                largest = max(largest, norm)
            }
        }
        self.augmented = augmented
        let terms = Double(dimension + 8) * 0x1p-24
        let e = terms / (1 - terms) * 4 * largest * (1 + 0x1p-20)
        margin = Float(2 * e).nextUp
    }

    /// The closest and farthest pairs, exactly.
    func run(progress: (Double) -> Void) -> (VocabularyExtent.Pair, VocabularyExtent.Pair) {
        let count = store.count
        let blocks = (count + rowBlock - 1) / rowBlock
        let wave = max(8, 4 * ProcessInfo.processInfo.activeProcessorCount)
        let total = Double(count) * Double(count - 1) / 2
        var done = 0.0
        var results = [BlockResult](repeating: BlockResult(), count: blocks)
        progress(0)
        for first in stride(from: 0, to: blocks, by: wave) {
            let range = first..<min(blocks, first + wave)
            results.withUnsafeMutableBufferPointer { output in
                nonisolated(unsafe) let output = output
                DispatchQueue.concurrentPerform(iterations: range.count) { offset in
                    output[range.lowerBound + offset] = scanBlock(range.lowerBound + offset)
                }
            }
            for block in range {
                let rows = Double(min(count, (block + 1) * rowBlock) - block * rowBlock)
                done += rows * Double(count - block * rowBlock) - rows * (rows + 1) / 2
            }
            progress(min(done / total, 1))
        }
        progress(1)
        return finish(results)
    }

    /// Re-ranks the surviving candidates with exact double-precision distances.
    private func finish(_ results: [BlockResult]) -> (VocabularyExtent.Pair, VocabularyExtent.Pair) {
        let bestMin = Double(results.map(\.bestMin).min()!), bestMax = Double(results.map(\.bestMax).max()!)
        let margin = Double(self.margin)
        func exact(_ candidate: Candidate) -> (Double, Int, Int) {
            let i = Int(candidate.i), j = Int(candidate.j)
            let d = store.vector(at: i).withUnsafeBufferPointer { store.squaredDistance(from: $0, to: j) }
            return (d, i, j)
        }
        let closest = results.lazy.flatMap(\.minCandidates)
            .filter { Double($0.score) <= bestMin + margin }.map(exact)
            .min { $0 < $1 }!
        let farthest = results.lazy.flatMap(\.maxCandidates)
            .filter { Double($0.score) >= bestMax - margin }.map(exact)
            .min { ($1.0, $0.1, $0.2) < ($0.0, $1.1, $1.2) }!
        return (.init(closest.1, closest.2), .init(farthest.1, farthest.2))
    }

    /// Scores rows `block·rowBlock ..<` against every later word.
    private func scanBlock(_ block: Int) -> BlockResult {
        let count = store.count
        let rowStart = block * rowBlock, rowEnd = min(count, rowStart + rowBlock)
        let rows = rowEnd - rowStart
        var result = BlockResult()
        var products = [Float](repeating: 0, count: rows * columnBlock)
        // This block's rows as [x, −‖x‖²/2, 1] (the columns' last two entries swapped).
        var rowMatrix = Array(augmented[rowStart * width..<rowEnd * width])
        for r in 0..<rows { rowMatrix.swapAt(r * width + width - 2, r * width + width - 1) }
        rowMatrix.withUnsafeBufferPointer { rowMatrix in
            augmented.withUnsafeBufferPointer { matrix in
                products.withUnsafeMutableBufferPointer { products in
                    let tile = products.baseAddress!
                    for columnStart in stride(from: rowStart, to: count, by: columnBlock) {
                        let columns = min(columnBlock, count - columnStart)
                        // tile[r][c] = −2⟨x̃_{rowStart+r}, x̃_{columnStart+c}⟩ ≈ d²
                        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans,
                                    Int32(rows), Int32(columns), Int32(width),
                                    -2, rowMatrix.baseAddress!, Int32(width),
                                    matrix.baseAddress! + columnStart * width, Int32(width),
                                    0, tile, Int32(columns))
                        let crossesDiagonal = columnStart < rowEnd
                        if !crossesDiagonal {
                            let (low, high) = Self.extremes(tile, rows * columns)
                            if low > result.minThreshold(margin) && high < result.maxThreshold(margin) { continue }
                        }
                        for r in 0..<rows {
                            let i = rowStart + r
                            let firstColumn = crossesDiagonal ? max(0, i + 1 - columnStart) : 0
                            guard firstColumn < columns else { continue }
                            for c in firstColumn..<columns {
                                result.offer(tile[r * columns + c], i: i, j: columnStart + c, margin: margin)
                            }
                        }
                    }
                }
            }
        }
        return result
    }

    /// The smallest and largest of `count` ≥ 1 floats. Release builds use
    /// the SIMD loop; debug builds, where unspecialized SIMD code is ~30×
    /// slower, use OpenBLAS's `ismin`/`ismax` extensions (the same values).
    @inline(__always)
    static func extremes(_ values: UnsafePointer<Float>, _ count: Int) -> (Float, Float) {
        #if DEBUG
        return blasExtremes(values, count)
        #else
        return simdExtremes(values, count)
        #endif
    }

    static func blasExtremes(_ values: UnsafePointer<Float>, _ count: Int) -> (Float, Float) {
        let low = min(Int(cblas_ismin(blasint(count), values, 1)), count - 1)
        let high = min(Int(cblas_ismax(blasint(count), values, 1)), count - 1)
        return (values[low], values[high])
    }

    static func simdExtremes(_ values: UnsafePointer<Float>, _ count: Int) -> (Float, Float) {
        var low = SIMD16<Float>(repeating: .infinity), high = SIMD16<Float>(repeating: -.infinity)
        var k = 0
        let raw = UnsafeRawPointer(values)
        while k + 16 <= count {
            let v = raw.loadUnaligned(fromByteOffset: k * 4, as: SIMD16<Float>.self)
            low.replace(with: v, where: v .< low)
            high.replace(with: v, where: v .> high)
            k += 16
        }
        var lowest = low.min(), highest = high.max()
        while k < count {
            if values[k] < lowest { lowest = values[k] }
            if values[k] > highest { highest = values[k] }
            k += 1
        }
        return (lowest, highest)
    }
}

private struct Candidate {
    let score: Float
    let i: Int32
    let j: Int32
}

/// The running extremes of one row block and the pairs that may still be extreme.
private struct BlockResult {
    var bestMin: Float = .infinity
    var bestMax: Float = -.infinity
    var minCandidates: [Candidate] = []
    var maxCandidates: [Candidate] = []

    /// Scores above this cannot be minimal (rounded up, so never too strict).
    @inline(__always) func minThreshold(_ margin: Float) -> Float { (bestMin + margin).nextUp }
    /// Scores below this cannot be maximal (rounded down).
    @inline(__always) func maxThreshold(_ margin: Float) -> Float { (bestMax - margin).nextDown }

    @inline(__always)
    mutating func offer(_ score: Float, i: Int, j: Int, margin: Float) {
        if score <= minThreshold(margin) {
            if score < bestMin {
                bestMin = score
                let threshold = minThreshold(margin)
                if minCandidates.count >= 64 { minCandidates.removeAll { $0.score > threshold } }
            }
            minCandidates.append(Candidate(score: score, i: Int32(i), j: Int32(j)))
        }
        if score >= maxThreshold(margin) {
            if score > bestMax {
                bestMax = score
                let threshold = maxThreshold(margin)
                if maxCandidates.count >= 64 { maxCandidates.removeAll { $0.score < threshold } }
            }
            maxCandidates.append(Candidate(score: score, i: Int32(i), j: Int32(j)))
        }
    }
}
