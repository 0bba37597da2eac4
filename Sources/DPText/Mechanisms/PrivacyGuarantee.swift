/// The privacy a mechanism really provides, as data: carried into every run
/// report so a reader never has to trust prose.
///
/// ε has units of 1/distance in the embedding space (MECHANISMS.md §1):
/// scaling the vectors by c is the same as using c·ε, so a guarantee is only
/// meaningful next to the store it was computed for.
public enum PrivacyGuarantee: Sendable, Equatable, Codable {
    /// No privacy at all (the identity mechanism, for testing and baselines).
    case none
    /// Pure ε·d_χ-privacy: `P[M(x) = y] ≤ exp(ε·d(x, x'))·P[M(x') = y]` for all
    /// words x, x' and outputs y, with d the Euclidean distance of embeddings.
    case pureMetric(epsilon: Double)
    /// (ε·d_χ, δ)-privacy: the pure bound holds except with probability δ.
    case approximateMetric(epsilon: Double, delta: Double)
    /// A claimed bound that has not been shown to hold; see `reason`.
    case unverified(claimedEpsilon: Double, reason: String)

    /// A short machine-readable name: `none`, `pure-metric`, `approximate-metric`, `unverified`.
    public var kind: String {
        switch self {
        case .none: return "none"
        case .pureMetric: return "pure-metric"
        case .approximateMetric: return "approximate-metric"
        case .unverified: return "unverified"
        }
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
        case .unverified(let epsilon, let reason):
            return "Unverified: the claimed bound ε = \(epsilon) is not proven for this construction (\(reason))."
        }
    }
}
