import Foundation

/// The Mahalanobis mechanism (Z. Xu, Aggarwal, Feyisetan, Teissier,
/// PrivateNLP 2020, arXiv 2010.11947; Mechanisms.md §6.1): the Laplace
/// mechanism with elliptical noise shaped by the vocabulary's covariance.
///
/// With Σ̂ the covariance of the public vectors scaled so that tr(Σ̂) = n
/// (§6.1's recommendation: the noise's overall scale then matches §2's) and
///
///     Σ_λ = λ·Σ̂ + (1 − λ)·I,   λ ∈ [0, 1]   (λ = 0 is the plain Laplace mechanism),
///
/// the noise has density ∝ exp(−ε·√(Nᵀ Σ_λ⁻¹ N)). Sampler: N = r·L·u with
/// L·Lᵀ = Σ_λ (Cholesky), u uniform on the sphere and r ~ Gamma(n, 1/ε) —
/// L·(r·u) has that density for any such factor, since ‖L⁻¹N‖² = NᵀΣ_λ⁻¹N;
/// E[NNᵀ] = ((n + 1)/ε²)·Σ_λ. The output is the vocabulary word nearest
/// z = φ(x) + N (Euclidean, exact, like §2). pypantera's renormalization of
/// Σ^{1/2}u to unit length (which changes the density) is not reproduced.
///
/// **Guarantee: pure ε·d_M** with `d_M(a, b) = ‖Σ_λ^{−1/2}(a − b)‖` (the
/// density ratio of two centres is at most exp(ε·d_M) pointwise, by the
/// triangle inequality of that norm). Because `d_M ≤ ‖a − b‖/√λ_min(Σ_λ)`,
/// it implies ε′·d with ε′ = ε/√λ_min(Σ_λ), λ_min(Σ_λ) = λ·λ_min(Σ̂) + 1 − λ,
/// taken as the larger of 1 − λ and the LAPACK eigenvalue less a margin of
/// 10⁻⁹·n (well above its rounding error).
///
/// Parameters: ε > 0; λ ∈ [0, 1], default 0.2 (MLDP's).
public struct MahalanobisMechanism: WordMechanism {
    public let epsilon: Double
    public let lambda: Double
    /// ε′ of the implied Euclidean guarantee.
    public let euclideanEpsilon: Double
    let store: EmbeddingStore
    /// L with L·Lᵀ = Σ_λ, row-major lower triangle.
    let factor: [Double]
    /// L·u for the sampler, sixteen rows at a time.
    private let shaping: LowerTriangularProduct

    /// The mechanism's own parameter.
    public enum Parameter {
        public static let lambda = MechanismParameter(
            name: "lambda", symbol: "λ", meaning: "the weight of the vocabulary's covariance in the noise shape",
            range: .closed(0, 1), defaultValue: 0.2)
    }

    public init(epsilon: Double, lambda: Double = Parameter.lambda.defaultValue!, store: EmbeddingStore) throws {
        try MechanismParameter.epsilon.check(epsilon)
        try Parameter.lambda.check(lambda)
        let n = store.dimension
        let covariance = SymmetricMatrix(size: n, entries: store.covariance())
        let scale = Double(n) / covariance.trace
        var shaped = covariance.entries.map { lambda * scale * $0 }
        for i in 0..<n { shaped[i * n + i] += 1 - lambda }
        let sigma = SymmetricMatrix(size: n, entries: shaped)
        guard covariance.trace > 0, let factor = sigma.choleskyFactor(), let smallest = sigma.eigenvalues()?.first else {
            throw MechanismError.noGuarantee(
                parameter: "lambda", detail: "the vocabulary's covariance is degenerate at λ = \(lambda) (Σ_λ is not "
                    + "positive definite): use a λ below 1")
        }
        let bound = max(1 - lambda, smallest - 1e-9 * Double(n))
        guard bound > 0 else {
            throw MechanismError.noGuarantee(
                parameter: "lambda", detail: "the smallest eigenvalue of Σ_λ is too close to 0 to bound the Euclidean ε "
                    + "at λ = \(lambda): use a λ below 1")
        }
        self.epsilon = epsilon
        self.lambda = lambda
        self.store = store
        self.factor = factor
        shaping = LowerTriangularProduct(rowMajor: factor, size: n)
        euclideanEpsilon = epsilon / bound.squareRoot()
    }

    public var name: String { Self.descriptor.name }
    public var parameters: [String: Double] {
        ["epsilon": epsilon, "lambda": lambda, "euclidean_epsilon": euclideanEpsilon]
    }
    public var guarantee: PrivacyGuarantee {
        .pureMahalanobis(epsilon: epsilon, lambda: lambda, euclideanEpsilon: euclideanEpsilon)
    }

    public func draw<G: RandomNumberGenerator>(_ input: MechanismInput, using generator: inout G) -> Draw {
        let n = store.dimension
        let center = vector(of: input, in: store)
        let direction = MultivariateLaplaceNoise.uniformDirection(dimension: n, using: &generator)
        let radius = MultivariateLaplaceNoise.gammaRadius(dimension: n, epsilon: epsilon, using: &generator)
        let shaped = shaping.apply(to: direction)
        var point = center
        for i in 0..<n { point[i] += radius * shaped[i] }
        return .point(point)
    }

    /// ε·d_M(a, b), the exact claim (`d_M = ‖L⁻¹(a − b)‖`, by forward substitution).
    public func claimedLoss(between a: Int, and b: Int, in store: EmbeddingStore) -> Double? {
        epsilon * mahalanobisDistance(store.vector(at: a), store.vector(at: b))
    }

    /// `d_M(a, b) = ‖L⁻¹(a − b)‖`.
    func mahalanobisDistance(_ a: [Double], _ b: [Double]) -> Double {
        let n = a.count
        var solved = [Double](repeating: 0, count: n)
        for i in 0..<n {
            var value = a[i] - b[i]
            for j in 0..<i { value -= factor[i * n + j] * solved[j] }
            solved[i] = value / factor[i * n + i]
        }
        return solved.reduce(0) { $0 + $1 * $1 }.squareRoot()
    }
}

extension MahalanobisMechanism {
    public static let descriptor = MechanismDescriptor(
        name: "mahalanobis", summary: "Laplace noise shaped by the vocabulary's covariance, then the nearest word",
        guaranteeKind: "pure-mahalanobis", parameters: [Parameter.lambda], decodesPoints: true,
        epsilonGrid: .values([4, 6, 7, 8, 10, 12]), cost: .decoding
    ) { settings in
        try MahalanobisMechanism(epsilon: settings.requiredEpsilon(), lambda: settings.value(Parameter.lambda)!,
                                 store: settings.store)
    }
}
