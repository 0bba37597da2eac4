/// The privacy a mechanism really provides, as data: carried into every run
/// report so a reader never has to trust prose.
///
/// ε has units of 1/distance in the embedding space (Mechanisms.md §1):
/// scaling the vectors by c is the same as using c·ε, so a guarantee is only
/// meaningful next to the store it was computed for.
public indirect enum PrivacyGuarantee: Sendable, Equatable, Codable {
    /// No privacy at all (the identity mechanism, for testing and baselines).
    case none
    /// Pure ε·d_χ-privacy: `P[M(x) = y] ≤ exp(ε·d(x, x'))·P[M(x') = y]` for all
    /// words x, x' and outputs y, with d the Euclidean distance of embeddings.
    case pureMetric(epsilon: Double)
    /// (ε·d_χ, δ)-privacy: the pure bound holds except with probability δ.
    case approximateMetric(epsilon: Double, delta: Double)
    /// Pure ε·d_χ in the Mahalanobis metric `d_M(a, b) = ‖Σ^{−1/2}(a − b)‖`
    /// of a public covariance Σ; it implies ε′·d_χ in the Euclidean metric with
    /// `euclideanEpsilon` ε′ = ε/√λ_min(Σ).
    case pureMahalanobis(epsilon: Double, lambda: Double, euclideanEpsilon: Double)
    /// Plain ε-differential privacy between any two words of the same group
    /// of a public partition of the vocabulary (every word's outputs are its
    /// group), and nothing between words of different groups: the output
    /// reveals the group.
    case pureWithinGroups(epsilon: Double, groupSize: Int)
    /// Pure ε-privacy in the list-index metric `d_L(x, x′) = max_k |i_k(x) − i_k(x′)|`
    /// over `lists` public orderings of the vocabulary (1-Diffractor): not
    /// a bound in embedding distance.
    case pureListIndexMetric(epsilon: Double, lists: Int)
    /// `base` for the words described by `covered` only; the words of
    /// `exposed` are not covered (a mechanism may pass them through, and
    /// counts those tokens as unprotected).
    case partial(PrivacyGuarantee, covered: String, exposed: String)
    /// A claimed bound that has not been shown to hold; see `reason`.
    case unverified(claimedEpsilon: Double, reason: String)

    /// A short machine-readable name: `none`, `pure-metric`, `approximate-metric`,
    /// `pure-mahalanobis`, `pure-within-groups`, `unverified`; `partial <kind>` for a partial one.
    public var kind: String {
        switch self {
        case .none: return "none"
        case .pureMetric: return "pure-metric"
        case .approximateMetric: return "approximate-metric"
        case .pureMahalanobis: return "pure-mahalanobis"
        case .pureWithinGroups: return "pure-within-groups"
        case .pureListIndexMetric: return "pure-list-index-metric"
        case .partial(let base, _, _): return "partial " + base.kind
        case .unverified: return "unverified"
        }
    }

    /// ε of the guarantee (the claimed one for `unverified`), nil for `none`.
    public var epsilon: Double? {
        switch self {
        case .none: return nil
        case .pureMetric(let epsilon), .approximateMetric(let epsilon, _), .pureMahalanobis(let epsilon, _, _),
             .pureWithinGroups(let epsilon, _), .pureListIndexMetric(let epsilon, _), .unverified(let epsilon, _):
            return epsilon
        case .partial(let base, _, _): return base.epsilon
        }
    }

    /// δ of an approximate guarantee, else 0.
    public var delta: Double {
        switch self {
        case .approximateMetric(_, let delta): return delta
        case .partial(let base, _, _): return base.delta
        default: return 0
        }
    }

    /// The guarantee without its coverage restriction.
    public var base: PrivacyGuarantee {
        if case .partial(let base, _, _) = self { return base.base }
        return self
    }

    /// One sentence stating the guarantee for a single token.
    public var statement: String {
        switch self {
        case .none:
            return "No privacy: tokens are not randomized."
        case .pureMetric(let epsilon):
            return "Each token is ε·d-private with ε = \(epsilon): for any two words x, x' and any output y, "
                + "P[y | x] ≤ exp(ε·d(x, x'))·P[y | x'], d = Euclidean distance of their embeddings."
        case .approximateMetric(let epsilon, let delta):
            return "Each token is (ε·d, δ)-private with ε = \(epsilon), δ = \(delta): for any words x, x' and "
                + "output set S, P[M(x) ∈ S] ≤ exp(ε·d(x, x'))·P[M(x') ∈ S] + (1 + exp(ε·d(x, x')))·δ."
        case .pureMahalanobis(let epsilon, let lambda, let euclidean):
            return "Each token is ε·d_M-private with ε = \(epsilon) in the Mahalanobis metric d_M(a, b) = "
                + "‖Σ_λ^{−1/2}(a − b)‖, Σ_λ = λ·Σ̂ + (1 − λ)·I, λ = \(lambda), Σ̂ the trace-normalized covariance of "
                + "the public vectors: P[y | x] ≤ exp(ε·d_M(x, x'))·P[y | x']. This implies ε'·d-privacy in the "
                + "Euclidean metric with ε' = \(euclidean)."
        case .pureWithinGroups(let epsilon, let size):
            return "Each token is ε-differentially private with ε = \(epsilon) among the words of its group (the "
                + "vocabulary is split into public groups of \(size) words, each word's outputs are its group): for "
                + "x, x' in one group and any output y, P[y | x] ≤ exp(ε)·P[y | x']. Nothing holds between words of "
                + "different groups: the output reveals the input's group."
        case .pureListIndexMetric(let epsilon, let lists):
            return "Each token is ε-private in a list-index metric with ε = \(epsilon): the vocabulary is ordered "
                + "into \(lists) public lists by nearest-neighbour chaining, i_k(w) is word w's position in list k, and "
                + "for any words x, x' and output y, P[y | x] ≤ exp(ε·max_k |i_k(x) − i_k(x')|)·P[y | x']. This is not "
                + "a bound in embedding distance: near words far apart in some list are protected from each other "
                + "only as far apart as they are there."
        case .partial(let base, let covered, let exposed):
            return "For \(covered): " + base.statement + " Not covered: \(exposed)."
        case .unverified(let epsilon, let reason):
            return "Unverified: the claimed bound ε = \(epsilon) is not proven for this construction (\(reason))."
        }
    }
}
