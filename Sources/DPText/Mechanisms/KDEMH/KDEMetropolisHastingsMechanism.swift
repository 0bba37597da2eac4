import Synchronization

/// Laplace noise, then Bayesian denoising with a KDE prior by
/// Metropolis–Hastings, then the nearest word (MECHANISMS.md §5.2, Reading A).
///
/// For a token with public vector `v`:
/// 1. `z = v + N`, N multivariate Laplace with parameter ε (§2.2);
/// 2. an MH chain targeting `p̂(y)·exp(−ε‖z − y‖)` from `y₀ = z`
///    (`MetropolisHastingsDenoiser`), with the Gaussian KDE prior
///    `GaussianKDEPrior` over the public vectors, evaluated over the
///    `kernelNeighbors` words nearest z;
/// 3. output the vocabulary word nearest the chain's final state.
///
/// Guarantee: exactly ε·d_χ, for any bandwidth, chain length or degree of
/// mixing — steps 2 and 3 use only z, public data and fresh randomness
/// (post-processing, F1). The acceptance rate after burn-in is reported.
public struct KDEMetropolisHastingsMechanism: WordMechanism {
    public let epsilon: Double
    public let kernelNeighbors: Int
    let store: EmbeddingStore
    let neighbors: ExactNeighborIndex
    let denoiser: MetropolisHastingsDenoiser
    private let counters = AcceptanceCounters()

    /// - Parameters:
    ///   - bandwidth: KDE bandwidth h; nil: Scott's rule.
    ///   - burnIn, steps: chain length (defaults 1000 and 2000, §5.2).
    ///   - proposalScale: σ_q, fixed; nil: start from `2.38·min(h, √(n+1)/ε)/√n`
    ///     (the classic random-walk scaling for a target whose per-coordinate
    ///     scale is the smaller of the kernel width h and the noise's
    ///     per-coordinate standard deviation √(n+1)/ε, §2.2) and tune it
    ///     during burn-in towards 0.234 acceptance.
    ///   - kernelNeighbors: how many words nearest z carry the KDE.
    public init(
        epsilon: Double, store: EmbeddingStore, neighbors: ExactNeighborIndex, bandwidth: Double? = nil,
        burnIn: Int = 1000, steps: Int = 2000, proposalScale: Double? = nil, kernelNeighbors: Int = 100
    ) throws {
        guard epsilon.isFinite, epsilon > 0 else { throw MechanismError.invalidEpsilon(epsilon) }
        guard burnIn >= 0 else {
            throw MechanismError.invalidParameter(name: "--burn-in", requirement: "at least 0", value: Double(burnIn))
        }
        guard steps >= 1 else {
            throw MechanismError.invalidParameter(name: "--steps", requirement: "at least 1", value: Double(steps))
        }
        guard kernelNeighbors >= 1 else {
            throw MechanismError.invalidParameter(
                name: "--kde-neighbors", requirement: "at least 1", value: Double(kernelNeighbors))
        }
        let prior = try GaussianKDEPrior(store: store, bandwidth: bandwidth)
        let n = Double(store.dimension)
        let scale = proposalScale ?? 2.38 * min(prior.bandwidth, (n + 1).squareRoot() / epsilon) / n.squareRoot()
        guard scale.isFinite, scale > 0 else {
            throw MechanismError.invalidParameter(name: "--proposal-scale", requirement: "a finite number > 0", value: scale)
        }
        self.epsilon = epsilon
        self.kernelNeighbors = kernelNeighbors
        self.store = store
        self.neighbors = neighbors
        self.denoiser = MetropolisHastingsDenoiser(
            prior: prior, epsilon: epsilon, burnIn: burnIn, steps: steps, proposalScale: scale,
            adaptsDuringBurnIn: proposalScale == nil)
    }

    public var name: String { "kde-mh" }

    public var parameters: [String: Double] {
        ["epsilon": epsilon, "bandwidth": denoiser.prior.bandwidth, "burn_in": Double(denoiser.burnIn),
         "steps": Double(denoiser.steps), "initial_proposal_scale": denoiser.proposalScale,
         "adaptive_proposal": denoiser.adaptsDuringBurnIn ? 1 : 0,
         "kde_neighbors": Double(kernelNeighbors)]
    }

    public var guarantee: PrivacyGuarantee { .pureMetric(epsilon: epsilon) }

    public var statistics: [String: Double] {
        let (accepted, proposed) = counters.totals
        return proposed == 0 ? [:] : ["acceptance_rate": Double(accepted) / Double(proposed), "chains": Double(counters.chains)]
    }

    public func draw<G: RandomNumberGenerator>(_ input: MechanismInput, using generator: inout G) -> Draw {
        let center = vector(of: input, in: store)
        let noise = MultivariateLaplaceNoise.sample(dimension: store.dimension, epsilon: epsilon, using: &generator)
        // From here on only z is used: the input word is out of reach.
        let observation = NoisyObservation(point: zip(center, noise).map(+))
        let centers = neighbors.nearest(to: observation.point, k: kernelNeighbors).flatMap { store.vector(at: $0.id) }
        let (state, accepted) = denoiser.sample(observation, kernelCenters: centers, using: &generator)
        counters.record(accepted: accepted, proposed: denoiser.steps)
        return .point(state)
    }
}

/// Acceptance counts shared by every thread running the mechanism.
final class AcceptanceCounters: Sendable {
    private let accepted = Atomic<Int>(0)
    private let proposed = Atomic<Int>(0)
    private let chainCount = Atomic<Int>(0)

    func record(accepted: Int, proposed: Int) {
        self.accepted.add(accepted, ordering: .relaxed)
        self.proposed.add(proposed, ordering: .relaxed)
        chainCount.add(1, ordering: .relaxed)
    }

    var totals: (accepted: Int, proposed: Int) {
        (accepted.load(ordering: .relaxed), proposed.load(ordering: .relaxed))
    }

    var chains: Int { chainCount.load(ordering: .relaxed) }
}
