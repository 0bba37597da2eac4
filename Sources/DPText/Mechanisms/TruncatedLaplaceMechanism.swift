import Foundation

/// The multivariate Laplace mechanism with a cap (Mechanisms.md §3.1, §3.2).
///
/// Two caps:
/// - **Noise norm** `R` (`--max-noise`): the radius `r ~ Gamma(n, 1/ε)` is
///   either *conditioned* on `r ≤ R` (drawn by inverse CDF on `[0, P(n, εR)]`,
///   no redraw loop) or *clipped* to `min(r, R)`. The direction stays uniform.
/// - **Output distance** `D` (`--max-distance`): the output is the word
///   nearest to `z = v + N` among the words within `D` of the input (variant
///   B of §3.2: the search is restricted, never redrawn, and there is no
///   special case that returns the input — it is output only when `z` is
///   nearer to it than to every other word in its ball).
///
/// Guarantee: not pure, because the support depends on the input. Each cap
/// agrees with the plain mechanism except on an event of probability δ, so
/// by Mechanisms.md F5 `P[M(x) ∈ S] ≤ e^{ε·d}·P[M(x') ∈ S] + (1 + e^{ε·d})·δ`:
/// - norm cap: `δ = Q(n, εR)`, the regularized upper incomplete gamma, exactly;
/// - distance cap: `δ_w = P[d(w, M(w)) > D] ≤ P[‖N‖ > D/2] = Q(n, εD/2)` for
///   every word (if `‖N‖ ≤ D/2`, the nearest word u to z has
///   `d(z, u) ≤ d(z, w) = ‖N‖`, so `d(w, u) ≤ D`). For a public stand-in
///   vector c that is no word (the `--oov unk` mean vector), the ball is
///   `B_D(c)` plus c's nearest word u₀ at distance r₀, and the argument gives
///   `δ_c ≤ Q(n, ε(D − r₀)/2)`: if `‖N‖ ≤ (D − r₀)/2`, then
///   `d(z, u) ≤ d(z, u₀) ≤ ‖N‖ + r₀`, so `d(c, u) ≤ 2‖N‖ + r₀ ≤ D`. The
///   reported δ is the largest bound over the words and the given stand-ins;
///   a stand-in with `r₀ ≥ D` gets no bound, and the initializer refuses it.
///   The ball must be searched exactly, so the `Privatizer` refuses an
///   approximate decoder for this cap (Mechanisms.md §8.4).
public struct TruncatedLaplaceMechanism: WordMechanism {
    public enum Cap: Sendable, Equatable {
        case noiseNorm(radius: Double, variant: NormCapVariant)
        case outputDistance(Double)
    }

    public enum NormCapVariant: String, Sendable, CaseIterable {
        /// Draw the radius from its law conditioned on `r ≤ R`.
        case condition
        /// Draw the radius from its law, then replace it by `min(r, R)`.
        case clip
    }

    public let epsilon: Double
    public let cap: Cap
    let store: EmbeddingStore
    /// `P(n, εR)` for the conditioned norm cap: the mass kept.
    private let keptMass: Double
    /// For the distance cap: the largest distance from a public stand-in
    /// vector to its nearest word (0 when there is none: words only).
    public let standInReach: Double
    /// For the distance cap: each stand-in's nearest word (ties by lower
    /// id), which its ball always holds.
    private let standInWords: [(vector: [Double], word: Int)]

    /// - Parameter standIns: the public vectors other than words this
    ///   mechanism may be asked to privatize (the `--oov unk` stand-in); the
    ///   distance cap's δ covers them too.
    /// - Throws: `MechanismError` for ε or a cap outside its range, and for a
    ///   distance cap that a stand-in's nearest word does not fit in (no bound).
    public init(epsilon: Double, cap: Cap, store: EmbeddingStore, standIns: [[Double]] = []) throws {
        try MechanismParameter.epsilon.check(epsilon)
        switch cap {
        case .noiseNorm(let radius, _): try Parameter.maxNoise.check(radius)
        case .outputDistance(let distance): try Parameter.maxDistance.check(distance)
        }
        self.epsilon = epsilon
        self.cap = cap
        self.store = store
        if case .noiseNorm(let radius, _) = cap {
            keptMass = IncompleteGamma.regularizedLower(Double(store.dimension), epsilon * radius)
            (standInReach, standInWords) = (0, [])
        } else {
            keptMass = 1
            standInWords = standIns.map { ($0, ExactRanking.nearest(in: store, among: 0..<store.count, to: $0)!) }
            standInReach = standInWords.map { vector, word in
                vector.withUnsafeBufferPointer { store.squaredDistance(from: $0, to: word) }.squareRoot()
            }.max() ?? 0
        }
        if case .outputDistance(let distance) = cap, standInReach >= distance {
            let reach = String(format: "%.6g", standInReach)
            throw MechanismError.noGuarantee(
                parameter: "max_distance",
                detail: "the distance cap D = \(String(format: "%g", distance)) is not above the distance from the "
                    + "out-of-vocabulary stand-in (the mean vector privatized for unknown words) to its nearest word, "
                    + "\(reach): the cap then bounds nothing for unknown words. Raise D above \(reach), or keep unknown "
                    + "words away from the mechanism (another out-of-vocabulary policy)")
        }
    }

    /// The caps, of which a run uses one.
    public enum Parameter {
        public static let maxNoise = MechanismParameter(
            name: "max_noise", symbol: "R", meaning: "the cap on the noise norm", range: .above(0, through: 1e15),
            defaultNote: "(D + 5√D)/ε, where δ ≈ 10⁻⁶")
        public static let maxDistance = MechanismParameter(
            name: "max_distance", symbol: "D", meaning: "output only words within this distance of the input",
            range: .above(0, through: 1e15))
    }

    /// A norm cap that rarely bites: `R = (n + 5√n)/ε`, five standard
    /// deviations above the mean radius n/ε (Mechanisms.md §3.1), so that
    /// δ = Q(n, n + 5√n) is small (1.4·10⁻⁵ for n = 50, 1.1·10⁻⁶ for n = 300).
    public static func typicalNoiseCap(dimension: Int, epsilon: Double) -> Double {
        let n = Double(dimension)
        return (n + 5 * n.squareRoot()) / epsilon
    }

    public var name: String { Self.descriptor.name }

    public var parameters: [String: Double] {
        switch cap {
        case .noiseNorm(let radius, let variant):
            return ["epsilon": epsilon, "max_noise": radius, "clip": variant == .clip ? 1 : 0, "delta": delta]
        case .outputDistance(let distance):
            var parameters = ["epsilon": epsilon, "max_distance": distance, "delta": delta]
            if standInReach > 0 { parameters["stand_in_reach"] = standInReach }
            return parameters
        }
    }

    /// δ of the guarantee (see the type's documentation).
    public var delta: Double {
        let n = Double(store.dimension)
        switch cap {
        case .noiseNorm(let radius, _): return IncompleteGamma.regularizedUpper(n, epsilon * radius)
        case .outputDistance(let distance):
            return IncompleteGamma.regularizedUpper(n, epsilon * (distance - standInReach) / 2)
        }
    }

    public var exactDecodingRequirement: String? {
        guard case .outputDistance = cap else { return nil }
        return "the distance cap searches the ball around the input word, and its δ holds only for exact search"
    }

    public var guarantee: PrivacyGuarantee { .approximateMetric(epsilon: epsilon, delta: delta) }

    public func draw<G: RandomNumberGenerator>(_ input: MechanismInput, using generator: inout G) -> Draw {
        let center = vector(of: input, in: store)
        let n = store.dimension
        let direction = MultivariateLaplaceNoise.uniformDirection(dimension: n, using: &generator)
        let radius: Double
        switch cap {
        case .noiseNorm(let cap, .clip):
            radius = min(MultivariateLaplaceNoise.gammaRadius(dimension: n, epsilon: epsilon, using: &generator), cap)
        case .noiseNorm(let cap, .condition):
            // Inverse CDF on [0, P(n, εR)]: exact, one uniform, no redraw loop.
            let u = generator.nextOpenUnit() * keptMass
            radius = min(GammaDistribution.quantile(u, shape: Double(n), scale: 1 / epsilon), cap)
        case .outputDistance:
            radius = MultivariateLaplaceNoise.gammaRadius(dimension: n, epsilon: epsilon, using: &generator)
        }
        let point = zip(center, direction).map { $0 + radius * $1 }
        if case .outputDistance(let distance) = cap {
            // One search among the ball's words, batched with every other token's (an exact
            // index ranks the words of the balls it meets often directly: `FrequentBalls`).
            let ball = NeighborBall(center: center, radius: distance, member: ballMember(of: input))
            return .afterNeighbors(of: point, k: 1, within: ball) { .word($0.neighbors[0].id) }
        }
        return .point(point)
    }

    /// The word the ball around `input` always holds: the word itself, or a
    /// public vector's nearest word.
    private func ballMember(of input: MechanismInput) -> Int {
        switch input {
        case .word(let id): return id
        case .publicVector(let vector):
            return standInWords.first { $0.vector == vector }?.word
                ?? ExactRanking.nearest(in: store, among: 0..<store.count, to: vector)!
        }
    }
}

extension TruncatedLaplaceMechanism {
    /// Built with `max_distance` when given, else the noise cap `max_noise`
    /// (default `typicalNoiseCap`) and the `truncation` variant.
    public static let descriptor = MechanismDescriptor(
        name: "truncated-laplace", summary: "Laplace noise with its norm capped, or the output kept within a distance",
        guaranteeKind: "approximate-metric", parameters: [Parameter.maxNoise, Parameter.maxDistance],
        choices: ["truncation": NormCapVariant.allCases.map(\.rawValue)], decodesPoints: true,
        epsilonGrid: .values([4, 6, 7, 8, 10, 12]), cost: .decoding
    ) { settings in
        let epsilon = try settings.requiredEpsilon()
        let cap: Cap
        if let distance = settings.values[Parameter.maxDistance.name] {
            cap = .outputDistance(distance)
        } else {
            let radius = settings.values[Parameter.maxNoise.name]
                ?? typicalNoiseCap(dimension: settings.store.dimension, epsilon: epsilon)
            cap = .noiseNorm(radius: radius,
                             variant: settings.choices["truncation"].flatMap(NormCapVariant.init(rawValue:)) ?? .condition)
        }
        return try TruncatedLaplaceMechanism(epsilon: epsilon, cap: cap, store: settings.store, standIns: settings.standIns)
    }
}
