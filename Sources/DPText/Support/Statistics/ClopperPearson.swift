/// The Clopper–Pearson ("exact") confidence interval for a binomial proportion.
///
/// With k successes in n trials and α = 1 − confidence, the bounds are the p at which observing
/// ≥ k (resp. ≤ k) successes has probability α/2. By the binomial–beta identity
/// P(Bin(n, p) ≥ k) = I_p(k, n − k + 1) these are Beta quantiles:
///
///     lower = B⁻¹(α/2; k, n − k + 1)      (0 when k = 0)
///     upper = B⁻¹(1 − α/2; k + 1, n − k)  (1 when k = n)
///
/// The interval is conservative: its coverage is at least `confidence` for every p.
public struct ClopperPearsonInterval: Sendable, Equatable {
    public let lower: Double
    public let upper: Double

    /// Requires 0 ≤ successes ≤ trials, trials > 0, and 0 < confidence < 1.
    public init(successes: Int, trials: Int, confidence: Double) {
        precondition(trials > 0 && successes >= 0 && successes <= trials,
                     "ClopperPearsonInterval: need 0 ≤ successes ≤ trials and trials > 0, got \(successes)/\(trials)")
        precondition(confidence > 0 && confidence < 1, "ClopperPearsonInterval: confidence must be in (0, 1), got \(confidence)")
        let tail = (1 - confidence) / 2
        let k = Double(successes), n = Double(trials)
        lower = successes == 0 ? 0 : BetaDistribution.quantile(tail, k, n - k + 1)
        // The upper bound is the (1 − α/2)-quantile; passing α/2 as the upper-tail probability
        // avoids rounding 1 − α/2.
        upper = successes == trials ? 1 : BetaDistribution.inverseSurvival(tail, k + 1, n - k)
    }
}
