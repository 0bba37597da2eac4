import Synchronization

/// Laplace noise, then Bayesian denoising with a KDE prior by
/// Metropolis–Hastings, then the nearest word (Mechanisms.md §5.2, Reading A).
///
/// For a token with public vector `v`:
/// 1. `z = v + N`, N multivariate Laplace with parameter ε (§2.2);
/// 2. the `kernelNeighbors` (M) words nearest z carry the Gaussian KDE prior
///    `GaussianKDEPrior`; an MH chain (`MetropolisHastingsDenoiser`) samples
///    the posterior `p̂(y)·exp(−ε‖z − y‖)`, starting from a draw of a
///    Gaussian mixture close to it and mixing random-walk moves with
///    independence moves that jump between its modes;
/// 3. output the vocabulary word nearest the chain's final state — read off
///    the M centres when the triangle inequality proves it (a word outside
///    them is at least r_M − d(y, z) from y, r_M the M-th centre's distance
///    from z), else found by a full search.
///
/// The searches around z are batched with every other token's (the draw
/// returns `Draw.afterNeighbors`); the chain draws from its own xoshiro
/// stream, keyed by 256 bits of the token's generator (the CSPRNG unless the
/// run is seeded), so a token's output does not depend on batching.
///
/// Guarantee: exactly ε·d_χ, for any bandwidth, chain length or degree of
/// mixing — steps 2 and 3 use only z, public data and fresh randomness
/// (post-processing, F1). The acceptance rate of the chains is reported.
///
/// Defaults: Scott's-rule bandwidth, M = 100, and 30 steps without burn-in —
/// the length a test at these defaults on a 50-dimensional store shows to
/// match an importance-sampling reference of the posterior.
public struct KDEMetropolisHastingsMechanism: WordMechanism {
    public let epsilon: Double
    public let kernelNeighbors: Int
    let store: EmbeddingStore
    let denoiser: MetropolisHastingsDenoiser
    private let counters = AcceptanceCounters()

    /// The mechanism's own parameters. The chain's length is capped so that a
    /// run ends: 10⁶ moves per token is already hours per page.
    public enum Parameter {
        public static let bandwidth = MechanismParameter(
            name: "bandwidth", symbol: "h", meaning: "the KDE bandwidth", range: .closed(1e-6, 1e6),
            defaultNote: "Scott's rule")
        public static let burnIn = MechanismParameter(
            name: "burn_in", symbol: "B", meaning: "chain moves before the counted ones", range: .closed(0, 1e6),
            isInteger: true, defaultValue: 0)
        public static let steps = MechanismParameter(
            name: "steps", symbol: "T", meaning: "chain moves after burn-in", range: .closed(1, 1e6), isInteger: true,
            defaultValue: 30)
        public static let proposalScale = MechanismParameter(
            name: "proposal_scale", symbol: "σ", meaning: "the random-walk step scale", range: .closed(1e-6, 1e6),
            defaultNote: "from the mixture proposal")
        public static let kdeNeighbors = MechanismParameter(
            name: "kde_neighbors", symbol: "M", meaning: "vocabulary words nearest the noisy point that carry the KDE",
            range: .closed(1, 10_000), isInteger: true, defaultValue: 100)
    }

    /// The defaults of `burnIn` and `steps`.
    public static let defaultBurnIn = Int(Parameter.burnIn.defaultValue!), defaultSteps = Int(Parameter.steps.defaultValue!)

    /// - Parameters:
    ///   - bandwidth: KDE bandwidth h; nil: Scott's rule.
    ///   - burnIn, steps: the chain runs `burnIn + steps` moves.
    ///   - proposalScale: σ of the random-walk moves; nil: from the mixture proposal.
    ///   - kernelNeighbors: how many words nearest z carry the KDE.
    public init(
        epsilon: Double, store: EmbeddingStore, bandwidth: Double? = nil,
        burnIn: Int = defaultBurnIn, steps: Int = defaultSteps, proposalScale: Double? = nil,
        kernelNeighbors: Int = Int(Parameter.kdeNeighbors.defaultValue!)
    ) throws {
        try MechanismParameter.epsilon.check(epsilon)
        try Parameter.burnIn.check(burnIn)
        try Parameter.steps.check(steps)
        try Parameter.kdeNeighbors.check(kernelNeighbors)
        if let proposalScale { try Parameter.proposalScale.check(proposalScale) }
        if let bandwidth { try Parameter.bandwidth.check(bandwidth) }
        let prior = try GaussianKDEPrior(store: store, bandwidth: bandwidth)
        self.epsilon = epsilon
        self.kernelNeighbors = min(kernelNeighbors, store.count)
        self.store = store
        self.denoiser = MetropolisHastingsDenoiser(
            prior: prior, epsilon: epsilon, burnIn: burnIn, steps: steps, proposalScale: proposalScale)
    }

    public var name: String { Self.descriptor.name }

    public var parameters: [String: Double] {
        var parameters = ["epsilon": epsilon, "bandwidth": denoiser.prior.bandwidth, "burn_in": Double(denoiser.burnIn),
                          "steps": Double(denoiser.steps), "kde_neighbors": Double(kernelNeighbors),
                          "independence_probability": denoiser.independenceProbability]
        if let scale = denoiser.proposalScale { parameters["proposal_scale"] = scale }
        return parameters
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
        let key = (generator.next(), generator.next(), generator.next(), generator.next())
        return .afterNeighbors(of: observation.point, k: kernelNeighbors) { [self] neighborhood in
            var chain = SeededGenerator(state: key)
            return denoise(observation, centres: neighborhood.neighbors, exact: neighborhood.isExact, using: &chain)
        }
    }

    /// Steps 2 and 3 for z with its M nearest words `centres`: the chain's
    /// final state's nearest word when the centres prove it (exact search
    /// only), else the state, to be decoded.
    func denoise<G: RandomNumberGenerator>(
        _ observation: NoisyObservation, centres: [Neighbor], exact: Bool, using generator: inout G
    ) -> Draw {
        let kernels = centres.flatMap { store.vector(at: $0.id) }
        let (state, accepted) = denoiser.sample(observation, kernelCenters: kernels, using: &generator)
        counters.record(accepted: accepted, proposed: denoiser.burnIn + denoiser.steps)
        guard exact, centres.count < store.count, let radius = centres.last?.distance else {
            return centres.count == store.count ? .word(nearest(to: state, among: centres).id) : .point(state)
        }
        let fromZ = zip(state, observation.point).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
        let best = nearest(to: state, among: centres)
        // Every other word is at least radius − fromZ from the state; a relative 10⁻⁹ covers rounding.
        return best.distance * (1 + 1e-9) < (radius - fromZ) * (1 - 1e-9) ? .word(best.id) : .point(state)
    }

    /// The nearest of `candidates` to `point` (exact distances, ties by lower id).
    private func nearest(to point: [Double], among candidates: [Neighbor]) -> Neighbor {
        ExactRanking.nearest(in: store, among: candidates.map(\.id), to: point, k: 1)[0]
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

extension KDEMetropolisHastingsMechanism {
    public static let descriptor = MechanismDescriptor(
        name: "kde-mh", summary: "Laplace noise, then Metropolis–Hastings denoising under a KDE prior, then the nearest word",
        guaranteeKind: "pure-metric",
        parameters: [Parameter.bandwidth, Parameter.burnIn, Parameter.steps, Parameter.proposalScale, Parameter.kdeNeighbors],
        decodesPoints: true, epsilonGrid: .values([5, 6.5, 8, 10, 15]), cost: .chain
    ) { settings in
        try KDEMetropolisHastingsMechanism(
            epsilon: settings.requiredEpsilon(), store: settings.store,
            bandwidth: settings.values[Parameter.bandwidth.name], burnIn: settings.integer(Parameter.burnIn)!,
            steps: settings.integer(Parameter.steps)!, proposalScale: settings.values[Parameter.proposalScale.name],
            kernelNeighbors: settings.integer(Parameter.kdeNeighbors)!)
    }
}
