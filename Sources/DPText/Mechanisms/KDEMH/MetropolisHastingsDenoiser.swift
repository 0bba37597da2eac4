#if canImport(Glibc)
import Glibc
#endif

/// What the denoising chain may see: the noisy point `z`, never the input
/// word. The type has no way to carry a word, so the chain's guarantee —
/// post-processing of the Laplace output — holds by construction
/// (Mechanisms.md §5.2, Reading A; T12's type-level separation).
struct NoisyObservation {
    let point: [Double]
}

/// Metropolis–Hastings targeting the posterior of the clean vector given
/// the noisy one (Mechanisms.md §5.2):
///
///     π(y | z) ∝ p̂(y) · exp(−ε‖z − y‖)
///
/// prior times the Laplace likelihood of the observed z, with `p̂` the
/// Gaussian KDE over the given kernel centres.
///
/// The chain starts at a draw of `PosteriorProposal` q (a Gaussian mixture
/// near π, one component per centre) and runs `burnIn + steps` steps; each is,
/// with probability `independenceProbability`, an independence move — y* ~ q,
/// accepted when `ln U < ln π(y*) − ln π(y) − (ln q(y*) − ln q(y))` — and
/// otherwise a random-walk move — y* = y + σ·ξ, ξ ~ N(0, I), accepted when
/// `ln U < ln π(y*) − ln π(y)`. Each kind of move leaves π invariant, so the
/// mixture does, whatever q and σ: the target is exact, and q only decides
/// how fast the chain forgets where it started. The independence moves jump
/// between the posterior's modes, which a random walk alone, in many
/// dimensions, does not (its steps are far shorter than the distance between
/// kernels). The final state is returned. Mixing affects only utility,
/// never privacy.
///
/// σ: `proposalScale` when given, else `2.38·min(h, √(n + 1)/ε)/√n` (the
/// classic random-walk scaling for a target whose per-coordinate scale is
/// the smaller of the kernel width and the noise's, §2.2).
struct MetropolisHastingsDenoiser: Sendable {
    let prior: GaussianKDEPrior
    let epsilon: Double
    let burnIn: Int
    let steps: Int
    /// σ of the random-walk moves (nil: the default above).
    let proposalScale: Double?
    var independenceProbability = 0.5
    /// The shapes of the posterior's terms, shared by every chain.
    let tables: PosteriorComponentTables

    init(prior: GaussianKDEPrior, epsilon: Double, burnIn: Int, steps: Int, proposalScale: Double?) {
        (self.prior, self.epsilon, self.burnIn, self.steps, self.proposalScale) = (prior, epsilon, burnIn, steps, proposalScale)
        tables = PosteriorComponentTables(dimension: prior.store.dimension, bandwidth: prior.bandwidth, epsilon: epsilon)
    }

    /// σ of the random-walk moves.
    var randomWalkScale: Double {
        let n = Double(prior.store.dimension)
        return proposalScale ?? 2.38 * min(prior.bandwidth, (n + 1).squareRoot() / epsilon) / n.squareRoot()
    }

    /// The final state of one chain and how many of its moves were accepted.
    func sample<G: RandomNumberGenerator>(
        _ observation: NoisyObservation, kernelCenters: [Double], using generator: inout G
    ) -> (state: [Double], accepted: Int) {
        let z = observation.point, n = z.count
        let proposal = PosteriorProposal(observation: z, centers: kernelCenters, tables: tables)
        let scale = randomWalkScale
        var state = [Double](repeating: 0, count: n), candidate = state, normals = state
        var logTarget = LogPosterior(denoiser: self, observation: z, kernelCenters: kernelCenters)
        func logProposal(_ y: [Double]) -> Double { y.withUnsafeBufferPointer(proposal.logDensity) }
        func draw(into y: inout [Double]) {
            let uniforms = (generator.nextOpenUnit(), generator.nextOpenUnit(), generator.nextOpenUnit(), generator.nextOpenUnit())
            normals.withUnsafeMutableBufferPointer { generator.fillStandardNormals($0) }
            normals.withUnsafeBufferPointer { normals in
                y.withUnsafeMutableBufferPointer { proposal.sample(uniforms: uniforms, normals: normals, into: $0) }
            }
        }
        draw(into: &state)
        var currentTarget = logTarget(state), currentProposal = logProposal(state)
        var accepted = 0
        for _ in 0..<(burnIn + steps) {
            let jumps = generator.nextOpenUnit() < independenceProbability
            if jumps {
                draw(into: &candidate)
            } else {
                normals.withUnsafeMutableBufferPointer { generator.fillStandardNormals($0) }
                for j in 0..<n { candidate[j] = state[j] + scale * normals[j] }
            }
            let candidateTarget = logTarget(candidate)
            let candidateProposal = jumps ? logProposal(candidate) : .nan
            let logRatio = candidateTarget - currentTarget - (jumps ? candidateProposal - currentProposal : 0)
            if log(generator.nextOpenUnit()) < logRatio {
                swap(&state, &candidate)
                currentTarget = candidateTarget
                currentProposal = jumps ? candidateProposal : logProposal(state)
                accepted += 1
            }
        }
        return (state, accepted)
    }

    /// Random-walk steps only, from `start`, with scale `scale` (T12's
    /// convergence checks use it): calls `visit` with every state; returns
    /// the last state and the accepted count.
    func walk<G: RandomNumberGenerator>(
        _ observation: NoisyObservation, kernelCenters: [Double], from start: [Double], length: Int, scale: Double,
        using generator: inout G, visit: ([Double]) -> Void = { _ in }
    ) -> (state: [Double], accepted: Int) {
        let z = observation.point
        let n = z.count
        var state = start
        var accepted = 0
        var proposal = [Double](repeating: 0, count: n)
        var noise = [Double](repeating: 0, count: n)
        var logTarget = LogPosterior(denoiser: self, observation: z, kernelCenters: kernelCenters)
        var current = logTarget(state)
        for _ in 0..<length {
            noise.withUnsafeMutableBufferPointer { generator.fillStandardNormals($0) }
            for j in 0..<n { proposal[j] = state[j] + scale * noise[j] }
            let candidate = logTarget(proposal)
            if log(generator.nextOpenUnit()) < candidate - current {
                swap(&state, &proposal)
                current = candidate
                accepted += 1
            }
            visit(state)
        }
        return (state, accepted)
    }
}

/// ln π(y | z) up to a constant: the KDE prior's log density at y minus
/// ε‖z − y‖. One per chain (it owns the prior's scratch space).
private struct LogPosterior {
    let prior: GaussianKDEPrior
    let epsilon: Double
    let observation: [Double]
    let kernelCenters: KernelLanes
    var exponents: [Double]

    init(denoiser: MetropolisHastingsDenoiser, observation: [Double], kernelCenters: [Double]) {
        (prior, epsilon, self.observation) = (denoiser.prior, denoiser.epsilon, observation)
        self.kernelCenters = KernelLanes(rows: kernelCenters, dimension: observation.count)
        exponents = [Double](repeating: 0, count: max(1, self.kernelCenters.count))
    }

    mutating func callAsFunction(_ y: [Double]) -> Double {
        var distance = 0.0
        for j in 0..<observation.count { distance += (observation[j] - y[j]) * (observation[j] - y[j]) }
        let logPrior = y.withUnsafeBufferPointer { y in
            exponents.withUnsafeMutableBufferPointer { prior.logDensity(at: y, over: kernelCenters, scratch: $0) }
        }
        return logPrior - epsilon * distance.squareRoot()
    }
}
