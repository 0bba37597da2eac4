#if canImport(Glibc)
import Glibc
#endif

/// Rank-softmax post-processing (Asghar, Carpentier, Zhao, Kaafar, "The
/// dχ-privacy curse", PoPETs 2026; Mechanisms.md §11): after a mechanism
/// outputs a vocabulary word w*, output the word of rank r around w* with
///
///     P(r) = q^r·(1 − q)/(1 − q^V),   q = e^{−c·ε},   r = 0, …, V − 1,
///
/// where rank 0 is w* itself and ranks 1, 2, … are the other words by
/// increasing exact distance from w* (ties by lower id) — the rows of the
/// exact neighbour table, and a deeper exact search past its width.
///
/// Why: Laplace noise followed by nearest-word decoding mostly returns the
/// word itself or a distant word and rarely a close neighbour; spreading
/// the output over w*'s nearest ranks buys utility at a given attack
/// success (the study measures whether it does).
///
/// **Guarantee: the base mechanism's, unchanged.** The rank is drawn from
/// fresh randomness and the ranking depends only on w* and the public
/// vectors, so the whole step is post-processing (F1).
///
/// Sampling is exact: r is `GeometricCount` with ratio e^{−cε} truncated
/// below V by rejection (exact coins; no logarithm, no sort of the
/// vocabulary per token). The rank is drawn with the base mechanism's
/// randomness, before any decoding, so the output does not depend on how
/// points are batched. A word the base mechanism leaves unprotected by
/// design is left as it is.
public struct RankSoftmaxPostProcessing: WordMechanism {
    public let base: any WordMechanism
    /// c: how fast the rank's probability falls, per unit of ε.
    public let c: Double
    let store: EmbeddingStore
    /// Every word's nearest other words (exact), ranks 1…width.
    let table: NeighborTable
    /// The exact index, for ranks past the table.
    let index: ExactNeighborIndex

    /// The post-processing's own parameters.
    public enum Parameter {
        public static let c = MechanismParameter(
            name: "rank_c", symbol: "c", meaning: "the rank decay per unit of ε: P(rank r) ∝ exp(−c·ε·r)",
            range: .closed(0.001, 1000), defaultValue: 1)
    }

    /// The name users select it by (`--post-process`).
    public static let name = "rank-softmax"

    public init(base: any WordMechanism, c: Double, resources: VocabularyResources) throws {
        try Parameter.c.check(c)
        // c ≥ 0.001 and ε ≥ 10⁻⁶ keep c·ε above GeometricCount's 2⁻⁴⁰.
        guard base.guarantee.epsilon != nil, base.guarantee != .none else {
            throw MechanismError.cannotPostProcess(mechanism: base.name, step: Self.name,
                                                   reason: "it gives no privacy guarantee, so there is no ε to scale the ranks")
        }
        self.base = base
        self.c = c
        store = resources.vocabulary
        index = resources.index
        table = try resources.neighborTable(width: NeighborTable.standardWidth(wordCount: store.count))
    }

    /// c·ε, the exponent of the rank's ratio q = e^{−cε}.
    var ratioExponent: Double { c * base.guarantee.epsilon! }

    public var name: String { base.name + "+" + Self.name }
    public var parameters: [String: Double] { base.parameters.merging(["rank_c": c]) { $1 } }
    public var guarantee: PrivacyGuarantee { base.guarantee }
    public var statistics: [String: Double] { base.statistics }
    public var exactDecodingRequirement: String? { base.exactDecodingRequirement }
    public var postProcessing: [String] {
        base.postProcessing + ["rank-softmax: the output is the word of rank r around the mechanism's word, "
            + "P(r) ∝ exp(−c·ε·r) with c = \(c); post-processing, the guarantee is unchanged"]
    }

    public func claimedLoss(between a: Int, and b: Int, in store: EmbeddingStore) -> Double? {
        base.claimedLoss(between: a, and: b, in: store)
    }

    public func draw<G: RandomNumberGenerator>(_ input: MechanismInput, using generator: inout G) -> Draw {
        let drawn = base.draw(input, using: &generator)
        let rank = GeometricCount.draw(ratioExponent: ratioExponent, below: store.count, using: &generator)
        return ranked(drawn, rank: rank, input: input)
    }

    /// `drawn` with its word w* replaced by the word of rank `rank` around
    /// it, through every continuation it leads to.
    private func ranked(_ drawn: Draw, rank: Int, input: MechanismInput) -> Draw {
        switch drawn.outcome {
        case .input:
            switch input {
            case .word(let id): return .word(word(ofRank: rank, around: id))
            case .publicVector(let vector): return ranked(nearest: vector, rank: rank)
            }
        case .word(let id): return .word(word(ofRank: rank, around: id))
        case .unprotectedWord: return drawn
        case .point(let point): return ranked(nearest: point, rank: rank)
        case .afterNeighbors(let point, let k, let ball, let then):
            return .afterNeighbors(of: point, k: k, within: ball) { [self] in ranked(then($0), rank: rank, input: input) }
        }
    }

    /// The word of rank `rank` around the word nearest `point`.
    private func ranked(nearest point: [Double], rank: Int) -> Draw {
        .afterNeighbors(of: point, k: 1) { .word(word(ofRank: rank, around: $0.neighbors[0].id)) }
    }

    /// The word of rank `rank` around `center`: itself for 0, its `rank`-th
    /// nearest other word otherwise (ties by lower id).
    func word(ofRank rank: Int, around center: Int) -> Int {
        if rank == 0 { return center }
        if rank <= table.width { return Int(table.neighbors(of: center)[table.neighbors(of: center).startIndex + rank - 1]) }
        let found = index.nearest(to: store.vector(at: center), k: rank + 1).lazy.map(\.id).filter { $0 != center }
        return Array(found.prefix(rank)).last!
    }

    /// P(rank = r) for r in 0..<V: the truncated geometric law.
    public func rankProbabilities() -> [Double] {
        let q = exp(-ratioExponent), count = store.count
        let normalizer = (1 - q) / (1 - pow(q, Double(count)))
        return (0..<count).map { normalizer * pow(q, Double($0)) }
    }
}
