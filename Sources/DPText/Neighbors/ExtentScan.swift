import COpenBLAS
import Dispatch
import Foundation

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

    init(store: EmbeddingStore, rowBlock: Int, columnBlock: Int) {
        _ = BLASKernels.singleThreaded
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
