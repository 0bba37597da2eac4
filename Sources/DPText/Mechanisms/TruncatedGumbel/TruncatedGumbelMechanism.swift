import Dispatch
import Foundation
import Synchronization

/// The Poisson-k truncated Gumbel mechanism ("Density-Aware DP Textual
/// Perturbations Using Truncated Gumbel Noise", FLAIRS 2021), as transcribed
/// from MLDP in Mechanisms.md §4, with MLDP's bugs fixed (global Δ_min/Δ_max,
/// exact neighbours, no pass-through for k = 0, no redraw loops).
///
/// Setup, once per vocabulary (V words) and ε (§4.1), with Δ_min/Δ_max the
/// global extremes of pairwise distances (`VocabularyExtent`):
///
///     a = (ε − 2(1 + ln V)/Δ_min) / 3
///     b = 2Δ_max / min{ W₀(2aΔ_max), ln(aΔ_min) }
///
/// (W₀ the principal Lambert W). b > 0 needs `a·Δ_min > 1`, i.e.
/// `ε > (2(1 + ln V) + 3)/Δ_min` (`minimumEpsilon`); below that the
/// initializer throws. MLDP's other branch (`a·Δ_min ≤ 0`) is therefore never used.
///
/// Per token w (§4.2):
/// 1. K ~ Poisson(μ) conditioned on K ≤ V − 1 (`TruncatedPoisson`, one
///    uniform), μ = ln(V − 1) unless given.
/// 2. C = the max(K, 1) nearest words of w by exact distance, w itself at
///    rank 1. K = 0 therefore outputs w, but through the same selection as
///    every other K (MLDP returns w unchanged in a separate branch, §8.12).
/// 3. For each c ∈ C, n_c ~ Gumbel(0, b) truncated to [−Δ_max, Δ_max]
///    (`TruncatedGumbelNoise`), and the output is `argmin_c d(w, c) + n_c`,
///    ties to the lower rank. This is not a softmax (F4).
///
/// A public vector v (an OOV stand-in, §8.7 (a)) uses the max(K, 1) nearest
/// vocabulary words of v and their distances to v.
///
/// Guarantee: **unverified**. The claimed ε·d_χ bound cannot hold because C
/// depends on the input word (§4.4): a word at rank 2 for x may be outside
/// x′'s candidate set except with a super-exponentially small Poisson tail.
///
/// Candidates come from a `NeighborTable` (each word's `listLength − 1`
/// nearest other words, `listLength` the smallest k with `P(K > k) < 10⁻¹²`),
/// built once per vocabulary and shared read-only by all threads. Their
/// exact distances to w are precomputed for the `frequentWords` first word
/// ids (the most frequent words in a frequency-ordered store such as GloVe,
/// which make up nearly all tokens of real text) and recomputed per token
/// for the others. Longer draws search on the spot. K's size changes the work, so timing reveals how large C was,
/// never the noise (§8.11).
public struct TruncatedGumbelMechanism: WordMechanism {
    /// The mechanism's own parameter.
    public enum Parameter {
        public static let poissonMean = MechanismParameter(
            name: "poisson_mean", symbol: "μ", meaning: "the mean of the Poisson candidate count",
            range: .above(0, through: 1e6), defaultNote: "ln(V − 1)")
    }

    public let epsilon: Double
    /// μ, the mean of the Poisson candidate count before truncation.
    public let poissonMean: Double
    /// The §4.1 parameters.
    public let a: Double
    public let b: Double
    public let extent: VocabularyExtent
    /// The cached neighbour-list length (kCap).
    public let listLength: Int
    let store: EmbeddingStore
    let index: any NeighborIndex
    let candidateCount: TruncatedPoisson
    let noise: TruncatedGumbelNoise
    /// Each word's nearest other words.
    let table: NeighborTable
    /// The exact distances to the table neighbours of the most frequent word ids.
    private let frequentDistances: NeighborDistances
    /// How many word ids have their candidate distances precomputed (a
    /// bounded cache: by default 2¹⁶ words, 8·2¹⁶·width bytes).
    public var frequentWords: Int { frequentDistances.words }
    private let publicVectorCandidates = LastComputed<[Double], [Neighbor]>()

    /// - Parameters:
    ///   - epsilon: the claimed ε, in 1/(embedding distance) units; must exceed `minimumEpsilon`.
    ///   - extent: the store's `VocabularyExtent` (checked against the store's words).
    ///   - poissonMean: μ > 0; default ln(V − 1).
    ///   - neighbors: an exact index over the same store (§8.4).
    ///   - table: the store's neighbour table, at least `tableWidth(wordCount:poissonMean:)`
    ///     wide to avoid searching per token (built from `neighbors` when nil).
    ///   - frequentWords: how many first word ids get their candidate distances precomputed.
    /// - Throws: `MechanismError` for ε or μ outside their ranges; `TruncatedGumbelError` otherwise.
    public init(
        epsilon: Double, store: EmbeddingStore, extent: VocabularyExtent, poissonMean: Double? = nil,
        neighbors: some NeighborIndex, table: NeighborTable? = nil, frequentWords: Int = 1 << 16
    ) throws {
        try self.init(epsilon: epsilon, store: store, extent: extent, poissonMean: poissonMean, neighbors: neighbors,
                      table: table, frequentWords: frequentWords, resources: nil)
    }

    /// Built from the shared vocabulary resources: the extent first (ε is
    /// checked against it before anything else is built), then the neighbour
    /// table and the candidate distances, all shared with other users.
    public init(epsilon: Double, resources: VocabularyResources, poissonMean: Double? = nil) throws {
        let store = resources.vocabulary
        let extent = try resources.extent()
        if store.count >= 2, extent.minimumDistance > 0, epsilon.isFinite,
           epsilon <= Self.minimumEpsilon(wordCount: store.count, minimumDistance: extent.minimumDistance) {
            throw Self.epsilonTooSmall(epsilon, wordCount: store.count, minimumDistance: extent.minimumDistance)
        }
        let table = try resources.neighborTable(width: Self.tableWidth(wordCount: store.count, poissonMean: poissonMean))
        try self.init(epsilon: epsilon, store: store, extent: extent, poissonMean: poissonMean,
                      neighbors: resources.index, table: table, frequentWords: 1 << 16, resources: resources)
    }

    private init(
        epsilon: Double, store: EmbeddingStore, extent: VocabularyExtent, poissonMean: Double?,
        neighbors: some NeighborIndex, table: NeighborTable?, frequentWords: Int, resources: VocabularyResources?
    ) throws {
        try MechanismParameter.epsilon.check(epsilon)
        let count = store.count
        guard count >= 2 else { throw TruncatedGumbelError.tooFewWords(count) }
        guard extent.wordCount == count, extent.wordsSHA256 == VocabularyFingerprint.wordsSHA256(store.words) else {
            throw TruncatedGumbelError.extentMismatch(storeWords: count, extentWords: extent.wordCount)
        }
        guard neighbors.isExact else { throw TruncatedGumbelError.approximateNeighborIndex }
        guard neighbors.store.words == store.words, table.map({ $0.wordCount == count }) ?? true else {
            throw TruncatedGumbelError.neighborIndexMismatch
        }
        guard extent.minimumDistance > 0 else {
            throw TruncatedGumbelError.duplicateVectors(
                first: store.words[extent.closestPair.first], second: store.words[extent.closestPair.second])
        }
        if let poissonMean { try Parameter.poissonMean.check(poissonMean) }
        let mean = poissonMean ?? log(Double(count - 1))
        guard mean.isFinite, mean > 0 else { throw TruncatedGumbelError.invalidPoissonMean(mean) }

        let deltaMin = extent.minimumDistance, deltaMax = extent.maximumDistance
        let a = (epsilon - 2 * (1 + log(Double(count))) / deltaMin) / 3
        guard a * deltaMin > 1 else {
            throw Self.epsilonTooSmall(epsilon, wordCount: count, minimumDistance: deltaMin)
        }
        self.epsilon = epsilon
        self.poissonMean = mean
        self.a = a
        self.b = 2 * deltaMax / min(LambertW.principal(2 * a * deltaMax), log(a * deltaMin))
        self.extent = extent
        self.store = store
        self.index = neighbors
        candidateCount = TruncatedPoisson(mean: mean, maximum: count - 1)
        noise = TruncatedGumbelNoise(scale: b, bound: deltaMax)
        listLength = NeighborTable.width(coveringPoissonMean: mean, wordCount: count) + 1
        let table = table ?? NeighborTable(index: neighbors, width: listLength - 1)
        self.table = table
        frequentDistances = try resources?.neighborDistances(width: table.width, words: frequentWords)
            ?? NeighborDistances(table: table, store: store, words: frequentWords)
    }

    /// The neighbour-table width this mechanism reads without searching:
    /// `listLength − 1` for V words and Poisson mean μ (default ln(V − 1),
    /// where it is `NeighborTable.standardWidth`, the table other mechanisms share).
    public static func tableWidth(wordCount: Int, poissonMean: Double? = nil) -> Int {
        poissonMean.map { NeighborTable.width(coveringPoissonMean: $0, wordCount: wordCount) }
            ?? NeighborTable.standardWidth(wordCount: wordCount)
    }

    /// The smallest ε is just above `(2(1 + ln V) + 3)/Δ_min` (where `a·Δ_min = 1`).
    public static func minimumEpsilon(wordCount: Int, minimumDistance: Double) -> Double {
        (2 * (1 + log(Double(wordCount))) + 3) / minimumDistance
    }

    public var name: String { Self.descriptor.name }

    public var parameters: [String: Double] {
        ["epsilon": epsilon, "poisson_mean": poissonMean, "a": a, "b": b,
         "delta_min": extent.minimumDistance, "delta_max": extent.maximumDistance]
    }

    public var guarantee: PrivacyGuarantee {
        .unverified(claimedEpsilon: epsilon,
                    reason: "the candidate set depends on the input word (Mechanisms.md §4.4); see dptext evaluate audit")
    }

    public func draw<G: RandomNumberGenerator>(_ input: MechanismInput, using generator: inout G) -> Draw {
        let k = candidateCount.sample(using: &generator)
        return .word(select(input, candidates: max(k, 1), using: &generator))
    }

    /// Steps 2–3 with a fixed candidate count (the test hook for fixing K):
    /// `argmin_c d(w, c) + n_c` over the `count` candidates in rank order,
    /// one noise draw each, ties to the lower rank.
    func select<G: RandomNumberGenerator>(_ input: MechanismInput, candidates count: Int, using generator: inout G) -> Int {
        if case .word(let id) = input, count - 1 <= table.width {
            // The common case, without allocating: w itself, then its table neighbours.
            var best = id, bestScore = noise.sample(using: &generator)
            let neighbors = table.neighbors(of: id).prefix(count - 1)
            if let distances = frequentDistances.distances(of: id) {
                for (neighbor, distance) in zip(neighbors, distances) {
                    let score = distance + noise.sample(using: &generator)
                    if score < bestScore { best = Int(neighbor); bestScore = score }
                }
            } else {
                for neighbor in neighbors {
                    let other = Int(neighbor)
                    let score = store.squaredDistance(between: id, and: other).squareRoot() + noise.sample(using: &generator)
                    if score < bestScore { best = other; bestScore = score }
                }
            }
            return best
        }
        let list = candidates(of: input, count: count)
        var best = list.startIndex, bestScore = Double.infinity
        for rank in list.indices {
            let score = list[rank].distance + noise.sample(using: &generator)
            if score < bestScore { best = rank; bestScore = score }
        }
        return list[best].id
    }

    /// The `count` nearest words of the input (a word first): searched on
    /// the spot for a word (only when `count` exceeds the table), from a
    /// one-entry cache for a public vector (an OOV stand-in is one fixed vector).
    func candidates(of input: MechanismInput, count: Int) -> ArraySlice<Neighbor> {
        switch input {
        case .word(let id):
            return index.neighbors(ofWord: id, k: count)[...]
        case .publicVector(let vector):
            guard count <= listLength else { return index.nearest(to: vector, k: count)[...] }
            return publicVectorCandidates.value(for: vector) { index.nearest(to: vector, k: listLength) }.prefix(count)
        }
    }
}

extension TruncatedGumbelMechanism {
    /// ε ≤ (2(1 + ln V) + 3)/Δ_min, where the §4.1 formula gives no valid b.
    static func epsilonTooSmall(_ epsilon: Double, wordCount: Int, minimumDistance: Double) -> MechanismError {
        .epsilonBelowMinimum(
            mechanism: "truncated-gumbel", epsilon: epsilon,
            minimum: minimumEpsilon(wordCount: wordCount, minimumDistance: minimumDistance),
            vocabulary: "V = \(wordCount), Δ_min = \(String(format: "%.6g", minimumDistance))")
    }
}

/// Why a truncated-Gumbel mechanism could not be set up.
public enum TruncatedGumbelError: Error, Equatable, CustomStringConvertible {
    /// Two words share a vector, so Δ_min = 0 (§8.6).
    case duplicateVectors(first: String, second: String)
    case invalidPoissonMean(Double)
    case tooFewWords(Int)
    case extentMismatch(storeWords: Int, extentWords: Int)
    case approximateNeighborIndex
    case neighborIndexMismatch

    public var description: String {
        switch self {
        case .duplicateVectors(let first, let second):
            return "truncated-gumbel needs distinct vectors, but \"\(first)\" and \"\(second)\" share one "
                + "(Δ_min = 0, so no ε is valid); remove one of them from the vocabulary."
        case .invalidPoissonMean(let mean):
            return "truncated-gumbel's Poisson mean must be a finite number greater than 0 (got \(mean)); "
                + "the default ln(V − 1) needs at least 3 words."
        case .tooFewWords(let count):
            return "truncated-gumbel needs a vocabulary of at least 2 words (got \(count))."
        case .extentMismatch(let storeWords, let extentWords):
            return "the vocabulary extent was computed for another vocabulary (\(extentWords) words; "
                + "this one has \(storeWords)); recompute it."
        case .approximateNeighborIndex:
            return "truncated-gumbel's candidate sets need an exact neighbour index (Mechanisms.md §8.4)."
        case .neighborIndexMismatch:
            return "the neighbour index searches a different vocabulary than the mechanism's store."
        }
    }
}

extension TruncatedGumbelMechanism {
    public static let descriptor = MechanismDescriptor(
        name: "truncated-gumbel", summary: "Gumbel noise on the distances to a Poisson number of nearest words",
        guaranteeKind: "unverified",
        unverifiedBecause: "its candidate set depends on the input word, so the claimed ε·d bound cannot hold, and the "
            + "privacy audit (dptext evaluate audit) measures losses above it",
        parameters: [Parameter.poissonMean], decodesPoints: false,
        epsilonGrid: .multiplesOfMinimum([1, 2, 10, 100, 1000, 10000]), cost: .tables,
        minimumEpsilon: { resources in
            minimumEpsilon(wordCount: resources.vocabulary.count, minimumDistance: try resources.extent().minimumDistance)
        }
    ) { settings in
        try TruncatedGumbelMechanism(epsilon: settings.requiredEpsilon(), resources: settings.resources,
                                     poissonMean: settings.values[Parameter.poissonMean.name])
    }
}
