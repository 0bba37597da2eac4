/// A randomized rule that picks an output word for an input token.
///
/// Mechanisms are interchangeable: the text pipeline only sees this
/// protocol. A mechanism's random step (`draw`) returns either a word or a
/// point of the embedding space; points are decoded to their nearest
/// vocabulary word afterwards, in batches, by `Privatizer` — a
/// post-processing step that keeps the guarantee (Mechanisms.md F1). A
/// mechanism whose rule needs more than the nearest word (the two nearest,
/// the nearest within a ball, a posterior over the nearest hundred) states
/// it as a continuation (`Draw.afterNeighbors`): the batch decoder knows no
/// mechanism's rule.
///
/// Points never leave the library: releasing a noisy vector next to its word
/// would void the guarantee (Mechanisms.md §8.1).
public protocol WordMechanism: Sendable {
    /// The name users select it by (`--mechanism`).
    var name: String { get }
    /// The parameters that determine its output distribution.
    var parameters: [String: Double] { get }
    /// What it guarantees, for the run report.
    var guarantee: PrivacyGuarantee { get }
    /// Figures about the run so far that the report should carry (such as
    /// an MCMC acceptance rate); empty for most mechanisms.
    var statistics: [String: Double] { get }
    /// The post-processing steps that follow the mechanism, in order, each
    /// described in a sentence for the run report; empty for most.
    var postProcessing: [String] { get }

    /// Why the guarantee needs every point decoded by exact search, or nil
    /// when any decoder will do (decoding is then post-processing). The
    /// `Privatizer` refuses an approximate decoder when this is set.
    var exactDecodingRequirement: String? { get }

    /// The privacy loss `ln P[M(a) = y]/P[M(b) = y]` the guarantee allows
    /// between words `a` and `b` of `store` — ε·d(a, b) for a Euclidean
    /// metric guarantee — or nil when it claims nothing for that pair (words
    /// of different groups, words it does not cover). What an audit tests.
    func claimedLoss(between a: Int, and b: Int, in store: EmbeddingStore) -> Double?

    /// The random step for one token, drawing only from `generator`.
    func draw<G: RandomNumberGenerator>(_ input: MechanismInput, using generator: inout G) -> Draw
}

/// What a mechanism privatizes: a vocabulary word, or a fixed public vector
/// standing in for a token outside the vocabulary (Mechanisms.md §8.7 (a)).
public enum MechanismInput: Sendable, Equatable {
    case word(Int)
    case publicVector([Double])
}

/// The outcome of a mechanism's random step.
public struct Draw: Sendable {
    enum Outcome: Sendable {
        /// The input token: kept as written for a mechanism that claims no
        /// privacy (the identity); for any other, the input word itself (or
        /// the word nearest a public stand-in), rendered like every output.
        case input
        /// This vocabulary word.
        case word(Int)
        /// This vocabulary word, which the mechanism leaves unprotected by
        /// design (counted as unprotected: `RewriteCounts.keptByMechanism`).
        case unprotectedWord(Int)
        /// The nearest vocabulary word to this point (decoded in batches).
        case point([Double])
        /// The draw `then` makes of this point's `k` nearest vocabulary
        /// words (`Neighborhood`): found in batches with every other point,
        /// so a mechanism that needs a point's neighbourhood does not search
        /// one point at a time. Its randomness must be drawn with the point,
        /// so that the output does not depend on how points are batched.
        /// `then` gives a word, a point, or another continuation. With a
        /// ball, the neighbours are the point's nearest among its words.
        case afterNeighbors([Double], k: Int, within: NeighborBall?, then: @Sendable (_ neighborhood: Neighborhood) -> Draw)
    }

    let outcome: Outcome

    /// Output this vocabulary word.
    public static func word(_ id: Int) -> Draw { Draw(outcome: .word(id)) }
    /// Output the input token unchanged.
    public static var input: Draw { Draw(outcome: .input) }
    /// Output this vocabulary word, unprotected by design (counted as such).
    public static func unprotected(_ id: Int) -> Draw { Draw(outcome: .unprotectedWord(id)) }
    /// Continue with the `k` words nearest `point` (never public, as
    /// `point`), among the words of `ball` when one is given.
    static func afterNeighbors(
        of point: [Double], k: Int, within ball: NeighborBall? = nil,
        then: @escaping @Sendable (_ neighborhood: Neighborhood) -> Draw
    ) -> Draw {
        Draw(outcome: .afterNeighbors(point, k: k, within: ball, then: then))
    }

    /// Output the vocabulary word nearest to `point` (not public: a point
    /// must never be observable outside the library).
    static func point(_ point: [Double]) -> Draw { Draw(outcome: .point(point)) }
}

/// What a continuation (`Draw.afterNeighbors`) is given: the point's nearest
/// words, and the index that found them for any further search it needs.
public struct Neighborhood: Sendable {
    /// The point's nearest vocabulary words, nearest first.
    public let neighbors: [Neighbor]
    /// The index the decoding runs on (exact unless the run asked for an approximate one).
    public let index: any NeighborIndex

    /// Whether `neighbors` are exactly the nearest words.
    public var isExact: Bool { index.isExact }
}

extension WordMechanism {
    public var statistics: [String: Double] { [:] }
    public var postProcessing: [String] { [] }
    public var exactDecodingRequirement: String? { nil }

    /// ε·d(a, b) for the metric guarantees (the Euclidean ε′ for a
    /// Mahalanobis one, which it implies); nil for `none`, partial, group
    /// and list-index guarantees, whose mechanisms state their own.
    public func claimedLoss(between a: Int, and b: Int, in store: EmbeddingStore) -> Double? {
        switch guarantee {
        case .pureMetric(let epsilon), .approximateMetric(let epsilon, _), .unverified(let epsilon, _),
             .pureMahalanobis(_, _, let epsilon):
            return epsilon * store.distance(between: a, and: b)
        case .none, .pureWithinGroups, .pureListIndexMetric, .partial:
            return nil
        }
    }

    /// The public vector of `input`.
    func vector(of input: MechanismInput, in store: EmbeddingStore) -> [Double] {
        switch input {
        case .word(let id): return store.vector(at: id)
        case .publicVector(let vector): return vector
        }
    }
}
