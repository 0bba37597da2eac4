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
