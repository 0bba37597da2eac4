#if canImport(Glibc)
import Glibc
#endif

/// What the denoising chain may see: the noisy point `z`, never the input
/// word. The type has no way to carry a word, so the chain's guarantee —
/// post-processing of the Laplace output — holds by construction
/// (MECHANISMS.md §5.2, Reading A; T12's type-level separation).
struct NoisyObservation {
    let point: [Double]
}

/// Random-walk Metropolis–Hastings targeting the posterior of the clean
/// vector given the noisy one (MECHANISMS.md §5.2):
///
///     π(y | z) ∝ p̂(y) · exp(−ε‖z − y‖)
///
/// prior times the Laplace likelihood of the observed z. The chain starts
/// at `y₀ = z`, proposes `y* = y + σ_q·ξ` with `ξ ~ N(0, I)`, accepts when
/// `ln U < ln π(y*) − ln π(y)`, runs `burnIn + steps` steps and returns the
/// final state. Mixing affects only utility, never privacy.
///
/// With `adaptsDuringBurnIn`, the proposal scale is tuned during burn-in
/// towards the acceptance rate 0.234 that is optimal for random walks in
/// many dimensions (every 20 steps, `σ ← σ·exp(rate − 0.234)`), then frozen:
/// the steps after burn-in are an ordinary MH chain with a fixed proposal.
struct MetropolisHastingsDenoiser: Sendable {
    let prior: GaussianKDEPrior
    let epsilon: Double
    let burnIn: Int
    let steps: Int
    let proposalScale: Double
    var adaptsDuringBurnIn = false

    static let targetAcceptance = 0.234

    /// The final state of one chain and how many proposals it accepted
    /// after burn-in.
    func sample<G: RandomNumberGenerator>(
        _ observation: NoisyObservation, kernelCenters: [Double], using generator: inout G
    ) -> (state: [Double], accepted: Int) {
        var scale = proposalScale
        let warm = walk(observation, kernelCenters: kernelCenters, from: observation.point, length: burnIn,
                        scale: &scale, adapting: adaptsDuringBurnIn, using: &generator)
        return walk(observation, kernelCenters: kernelCenters, from: warm.state, length: steps,
                    scale: &scale, adapting: false, using: &generator)
    }

    /// Runs `length` steps from `start` with a fixed proposal scale, calling
    /// `visit` with every state after each step; returns the last state and
    /// the accepted count.
    func walk<G: RandomNumberGenerator>(
        _ observation: NoisyObservation, kernelCenters: [Double], from start: [Double], length: Int,
        using generator: inout G, visit: ([Double]) -> Void = { _ in }
    ) -> (state: [Double], accepted: Int) {
        var scale = proposalScale
        return walk(observation, kernelCenters: kernelCenters, from: start, length: length, scale: &scale,
                    adapting: false, using: &generator, visit: visit)
    }

    private func walk<G: RandomNumberGenerator>(
        _ observation: NoisyObservation, kernelCenters: [Double], from start: [Double], length: Int,
        scale proposalScale: inout Double, adapting: Bool,
        using generator: inout G, visit: ([Double]) -> Void = { _ in }
    ) -> (state: [Double], accepted: Int) {
        let z = observation.point
        let n = z.count
        var state = start
        var accepted = 0
        var acceptedInWindow = 0
        // One set of buffers for the whole walk: a step allocates nothing.
        var proposal = [Double](repeating: 0, count: n)
        var noise = [Double](repeating: 0, count: n)
        var exponents = [Double](repeating: 0, count: max(1, kernelCenters.count / max(1, n)))
        kernelCenters.withUnsafeBufferPointer { (centers: UnsafeBufferPointer<Double>) -> Void in
            func logTarget(_ y: [Double]) -> Double {
                var distance = 0.0
                for j in 0..<n { distance += (z[j] - y[j]) * (z[j] - y[j]) }
                let logPrior = y.withUnsafeBufferPointer { y in
                    exponents.withUnsafeMutableBufferPointer { prior.logDensity(at: y, over: centers, scratch: $0) }
                }
                return logPrior - epsilon * distance.squareRoot()
            }
            var current = logTarget(state)
            for step in 0..<length {
                noise.withUnsafeMutableBufferPointer { generator.fillStandardNormals($0) }
                for j in 0..<n { proposal[j] = state[j] + proposalScale * noise[j] }
                let candidate = logTarget(proposal)
                if log(generator.nextOpenUnit()) < candidate - current {
                    swap(&state, &proposal)
                    current = candidate
                    accepted += 1
                    acceptedInWindow += 1
                }
                visit(state)
                if adapting && (step + 1) % 20 == 0 {
                    proposalScale *= exp(Double(acceptedInWindow) / 20 - Self.targetAcceptance)
                    acceptedInWindow = 0
                }
            }
        }
        return (state, accepted)
    }
}
