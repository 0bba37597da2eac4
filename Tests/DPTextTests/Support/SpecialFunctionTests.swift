import Foundation
import Testing
@testable import DPText

// Every reference value below was computed with scipy 1.17.1 (python3), by the call named above
// its table, and pasted here as printed by repr().

/// |actual − expected| ≤ tolerance · |expected|; an expected 0 must be matched exactly.
private func close(_ actual: Double, _ expected: Double, relative tolerance: Double) -> Bool {
    abs(actual - expected) <= tolerance * abs(expected)
}

/// 1e-10 relative in the bulk, 1e-8 once a tail probability is below 1e-3 (down to 1e-300).
private func tailTolerance(_ expected: Double) -> Double {
    expected >= 1e-3 ? 1e-10 : 1e-8
}

@Suite("SpecialFunction: incomplete gamma and Gamma distribution")
struct SpecialFunctionGammaTests {
    /// (a, x, scipy.special.gammainc(a, x), scipy.special.gammaincc(a, x))
    static let incompleteGamma: [(Double, Double, Double, Double)] = [
        (0.5, 1e-300, 1.1283791670955176e-150, 1.0),
        (0.5, 1e-10, 1.1283791670578994e-05, 0.9999887162083294),
        (0.5, 0.1, 0.34527915398142317, 0.6547208460185768),
        (0.5, 0.5, 0.6826894921370859, 0.31731050786291115),
        (0.5, 1.4, 0.9057356931587894, 0.09426430684121058),
        (0.5, 2.0, 0.9544997361036415, 0.04550026389635857),
        (0.5, 30.0, 0.9999999999999906, 9.485737571073857e-15),
        (0.5, 680.0, 1.0, 1.0341991197828647e-297),
        (1.0, 1e-12, 9.999999999995026e-13, 0.999999999999),
        (1.0, 0.5, 0.3934693402873665, 0.6065306597126334),
        (1.0, 1.0, 0.6321205588285577, 0.36787944117144245),
        (1.0, 5.0, 0.9932620530009145, 0.006737946999085468),
        (1.0, 690.0, 1.0, 2.1717382813899402e-300),
        (2.5, 1e-100, 3.009011112254699e-251, 1.0),
        (2.5, 0.01, 2.9876015319066003e-06, 0.999997012398468),
        (2.5, 2.0, 0.4505840486472198, 0.5494159513527802),
        (2.5, 2.5, 0.584119813004492, 0.4158801869955079),
        (2.5, 4.0, 0.8437643724222779, 0.1562356275777222),
        (2.5, 50.0, 1.0, 5.285148360943219e-20),
        (2.5, 700.0, 1.0, 1.3765875143943142e-300),
        (50.0, 0.0001, 3.287627084458327e-265, 1.0),
        (50.0, 10.0, 1.8547268838698457e-19, 1.0),
        (50.0, 45.0, 0.24680203440017026, 0.7531979655998298),
        (50.0, 50.0, 0.5188083154720433, 0.48119168452795674),
        (50.0, 55.0, 0.7677952194991436, 0.23220478050085636),
        (50.0, 80.0, 0.9998692160234086, 0.0001307839765914092),
        (50.0, 200.0, 1.0, 1.6927979958857254e-37),
        (50.0, 800.0, 1.0, 1.145859576908415e-268),
        (300.0, 1.0, 0.0, 1.0),
        (300.0, 100.0, 1.8187218167312466e-58, 1.0),
        (300.0, 250.0, 0.0011623936310546142, 0.9988376063689454),
        (300.0, 290.0, 0.2861755102943038, 0.7138244897056962),
        (300.0, 300.0, 0.5076777888862635, 0.4923222111137365),
        (300.0, 310.0, 0.7224887541718611, 0.2775112458281389),
        (300.0, 350.0, 0.9971042274681777, 0.0028957725318222776),
        (300.0, 600.0, 1.0, 2.3989723113369198e-42),
        (300.0, 1200.0, 1.0, 4.3393980762502114e-213),
        (1000.0, 300.0, 2.414920148297557e-221, 1.0),
        (1000.0, 900.0, 0.0005499022657117818, 0.9994500977342882),
        (1000.0, 980.0, 0.2656040388821805, 0.7343959611178195),
        (1000.0, 1000.0, 0.5042052441802155, 0.4957947558197845),
        (1000.0, 1020.0, 0.7385271844801109, 0.26147281551988905),
        (1000.0, 1100.0, 0.9989406767460701, 0.0010593232539299773),
        (1000.0, 1500.0, 1.0, 2.204698611389594e-43),
        (1000.0, 2200.0, 1.0, 1.951343072091958e-181),
    ]

    @Test func incompleteGammaMatchesScipyInBulkAndTails() {
        for (a, x, p, q) in Self.incompleteGamma {
            let lower = IncompleteGamma.regularizedLower(a, x), upper = IncompleteGamma.regularizedUpper(a, x)
            #expect(close(lower, p, relative: tailTolerance(p)), "P(\(a), \(x)) = \(lower), scipy \(p)")
            #expect(close(upper, q, relative: tailTolerance(q)), "Q(\(a), \(x)) = \(upper), scipy \(q)")
        }
    }

    @Test func incompleteGammaEndpoints() {
        for a in [0.5, 1, 300] {
            #expect(IncompleteGamma.regularizedLower(a, 0) == 0 && IncompleteGamma.regularizedUpper(a, 0) == 1)
            #expect(IncompleteGamma.regularizedLower(a, .infinity) == 1 && IncompleteGamma.regularizedUpper(a, .infinity) == 0)
        }
        // P(1, x) = 1 − e^{−x} and Q(1, x) = e^{−x} in closed form.
        #expect(close(IncompleteGamma.regularizedLower(1, 1e-8), -expm1(-1e-8), relative: 1e-14))
        #expect(close(IncompleteGamma.regularizedUpper(1, 40), exp(-40), relative: 1e-13))
        #expect(GammaDistribution.cdf(-1, shape: 2, scale: 3) == 0)
    }

    @Test func invalidShapeTraps() async {
        await #expect(processExitsWith: .failure) { _ = IncompleteGamma.regularizedLower(0, 1) }
        await #expect(processExitsWith: .failure) { _ = IncompleteGamma.regularizedUpper(.nan, 1) }
    }

    /// (shape, scale, p, scipy.stats.gamma.ppf(p, shape, scale=scale))
    static let gammaQuantiles: [(Double, Double, Double, Double)] = [
        (0.5, 1.0, 1e-300, 0.0),
        (0.5, 1.0, 1e-20, 7.853981633974489e-41),
        (0.5, 1.0, 0.01, 7.854392895485092e-05),
        (0.5, 1.0, 0.5, 0.227468211559786),
        (0.5, 1.0, 0.99, 3.3174483005106072),
        (0.5, 1.0, 0.999999999999, 25.422085666224586),
        (2.5, 0.25, 1e-200, 4.041759725728889e-81),
        (2.5, 0.25, 1e-06, 0.0016120200258121359),
        (2.5, 0.25, 0.3, 0.37498851659498833),
        (2.5, 0.25, 0.5, 0.5439325238869408),
        (2.5, 0.25, 0.975, 1.6040627492537534),
        (50.0, 2.0, 1e-100, 0.39116223402411116),
        (50.0, 2.0, 1e-05, 50.71093754563406),
        (50.0, 2.0, 0.5, 99.33412923598846),
        (50.0, 2.0, 0.9999, 161.31865695904807),
        (300.0, 0.3333333333333333, 1e-250, 5.7930070385046974),
        (300.0, 0.3333333333333333, 1e-10, 67.53680106472085),
        (300.0, 0.3333333333333333, 0.025, 89.0030917443221),
        (300.0, 0.3333333333333333, 0.5, 99.88891086347975),
        (300.0, 0.3333333333333333, 0.975, 111.62819203606853),
        (300.0, 0.3333333333333333, 0.9999999999, 141.21936984833087),
        (1000.0, 1.0, 1e-300, 233.92836429052818),
        (1000.0, 1.0, 0.001, 905.1207909349766),
        (1000.0, 1.0, 0.5, 999.6666864269652),
        (1000.0, 1.0, 0.999, 1100.5780982933145),
    ]

    @Test func gammaQuantileMatchesScipyAndRoundTrips() {
        for (shape, scale, p, expected) in Self.gammaQuantiles {
            let x = GammaDistribution.quantile(p, shape: shape, scale: scale)
            #expect(close(x, expected, relative: 1e-12), "quantile(\(p); \(shape), \(scale)) = \(x), scipy \(expected)")
            guard x > 0 else { continue }
            // Round trip on the tail that was solved for: P for p ≤ ½, Q = 1 − p above.
            let y = x / scale
            let back = p <= 0.5 ? IncompleteGamma.regularizedLower(shape, y) : IncompleteGamma.regularizedUpper(shape, y)
            #expect(close(back, p <= 0.5 ? p : 1 - p, relative: 1e-10), "round trip \(p) → \(x) → \(back)")
        }
        #expect(GammaDistribution.quantile(0, shape: 3, scale: 2) == 0)
        #expect(GammaDistribution.quantile(1, shape: 3, scale: 2) == .infinity)
    }

    /// Inverse-CDF draw from Gamma(300, scale 0.5) truncated to [0, 120], p = u · P(300, 120/0.5):
    /// scipy.special.gammainc(300, 240) and scipy.stats.gamma.ppf(u * that, 300, scale=0.5).
    @Test func truncatedGammaInverseCDF() {
        let mass = GammaDistribution.cdf(120, shape: 300, scale: 0.5)
        #expect(close(mass, 0.0001049386838241999, relative: 1e-10))
        for (u, expected) in [(1e-6, 101.35438143135356), (0.5, 118.72220924375796), (0.999999, 119.9999981115652)] {
            let x = GammaDistribution.quantile(u * mass, shape: 300, scale: 0.5)
            #expect(close(x, expected, relative: 1e-12), "u = \(u): \(x), scipy \(expected)")
            #expect(x <= 120)
        }
    }
}

@Suite("SpecialFunction: incomplete beta, Beta distribution and Clopper–Pearson")
struct SpecialFunctionBetaTests {
    /// (a, b, x, scipy.special.betainc(a, b, x), scipy.special.betaincc(a, b, x))
    static let incompleteBeta: [(Double, Double, Double, Double, Double)] = [
        (0.5, 0.5, 1e-300, 6.366197723675813e-151, 1.0),
        (0.5, 0.5, 1e-08, 6.366197734286143e-05, 0.9999363380226571),
        (0.5, 0.5, 0.3, 0.36901011956554536, 0.6309898804344546),
        (0.5, 0.5, 0.5, 0.5000000000000001, 0.5),
        (0.5, 0.5, 0.999999, 0.9993633801215482, 0.0006366198784800777),
        (2.5, 50.0, 1e-50, 5.519778910258797e-122, 1.0),
        (2.5, 50.0, 0.01, 0.039064249767961835, 0.9609357502320383),
        (2.5, 50.0, 0.05, 0.6086806924348438, 0.3913193075651561),
        (2.5, 50.0, 0.2, 0.9996046919897675, 0.0003953080102324132),
        (2.5, 50.0, 0.6, 1.0, 1.6580762554847165e-18),
        (149.5, 149.5, 0.2, 4.0358749486178205e-31, 1.0),
        (149.5, 149.5, 0.4, 0.0002408183498249839, 0.999759181650175),
        (149.5, 149.5, 0.45, 0.041631393142805485, 0.9583686068571944),
        (149.5, 149.5, 0.5, 0.4999999999999999, 0.5),
        (149.5, 149.5, 0.53, 0.8502636742428977, 0.1497363257571022),
        (149.5, 149.5, 0.6, 0.999759181650175, 0.00024081834982498453),
        (149.5, 149.5, 0.8, 1.0, 4.035874948617769e-31),
        (8.0, 999993.0, 1e-07, 2.269265012482322e-13, 0.9999999999997731),
        (8.0, 999993.0, 5e-06, 0.1333711518438649, 0.8666288481561353),
        (8.0, 999993.0, 8e-06, 0.5470397488652701, 0.45296025113836413),
        (8.0, 999993.0, 1.4e-05, 0.9683811965543, 0.03161880344438702),
        (8.0, 999993.0, 4e-05, 0.9999999998336901, 1.6630982732254422e-10),
        (0.001, 1000.0, 1e-100, 0.8002950074271853, 0.1997049925728147),
        (0.001, 1000.0, 1e-05, 0.9959689153397295, 0.004031084660270502),
        (0.001, 1000.0, 0.01, 0.9999999960319814, 3.968018504902714e-09),
        (1000.0, 1000.0, 0.45, 3.6831988690075765e-06, 0.999996316801131),
        (1000.0, 1000.0, 0.5, 0.4999999999999992, 0.5),
        (1000.0, 1000.0, 0.56, 0.9999999638506153, 3.6149384671777944e-08),
    ]

    @Test func incompleteBetaMatchesScipyInBulkAndTails() {
        for (a, b, x, lower, upper) in Self.incompleteBeta {
            let i = IncompleteBeta.regularized(x, a, b), c = IncompleteBeta.regularizedComplement(x, a, b)
            #expect(close(i, lower, relative: tailTolerance(lower)), "I_\(x)(\(a), \(b)) = \(i), scipy \(lower)")
            #expect(close(c, upper, relative: tailTolerance(upper)), "1 − I_\(x)(\(a), \(b)) = \(c), scipy \(upper)")
        }
        #expect(BetaDistribution.cdf(0, 2, 3) == 0 && BetaDistribution.cdf(1, 2, 3) == 1)
        #expect(BetaDistribution.cdf(-0.5, 2, 3) == 0 && BetaDistribution.cdf(7, 2, 3) == 1)
        // I_x(1, 1) = x, I_x(a, 1) = xᵃ in closed form.
        #expect(close(BetaDistribution.cdf(0.3, 1, 1), 0.3, relative: 1e-14))
        #expect(close(BetaDistribution.cdf(0.3, 4.5, 1), pow(0.3, 4.5), relative: 1e-13))
    }

    /// (a, b, p, scipy.stats.beta.ppf(p, a, b))
    static let betaQuantiles: [(Double, Double, Double, Double)] = [
        (149.5, 149.5, 1e-10, 0.32197144072895645),
        (149.5, 149.5, 0.025, 0.4434608234207736),
        (149.5, 149.5, 0.5, 0.5),
        (149.5, 149.5, 0.975, 0.5565391765792265),
        (149.5, 149.5, 0.9999999999, 0.6780285589390012),
        (0.5, 0.5, 1e-12, 2.4674011002723395e-24),
        (0.5, 0.5, 0.3, 0.2061073738537634),
        (0.5, 0.5, 0.9, 0.9755282581475768),
        (2.5, 50.0, 1e-40, 3.1858940357474287e-18),
        (2.5, 50.0, 0.5, 0.041971196252057266),
        (2.5, 50.0, 0.999, 0.18305685168691413),
        (0.01, 5.0, 0.5, 9.892240424112215e-32),
        (0.01, 5.0, 0.9, 3.3308179949666207e-06),
        (0.001, 1000.0, 0.5, 5.246826979625631e-305),
        (0.001, 1000.0, 0.999, 0.00026486749152267115),
        (1000.0, 0.001, 0.001, 0.9997351325084773),
        (1000.0, 0.001, 0.5, 1.0),
        (8.0, 999993.0, 0.025, 3.4538383007027382e-06),
        (8.0, 999993.0, 0.975, 1.4422621834331028e-05),
        (100000.0, 200000.0, 1e-06, 0.32925030574476294),
        (100000.0, 200000.0, 0.5, 0.3333329629625057),
    ]

    @Test func betaQuantileMatchesScipyAndRoundTrips() {
        for (a, b, p, expected) in Self.betaQuantiles {
            let x = BetaDistribution.quantile(p, a, b)
            // 1e-11: for a = 0.001 the upper tail near the mean is formed as 1 − I (see IncompleteBeta).
            #expect(close(x, expected, relative: 1e-11), "quantile(\(p); \(a), \(b)) = \(x), scipy \(expected)")
            guard x > 0 && x < 1 else { continue }
            let back = p <= 0.5 ? IncompleteBeta.regularized(x, a, b) : IncompleteBeta.regularizedComplement(x, a, b)
            #expect(close(back, p <= 0.5 ? p : 1 - p, relative: 1e-9), "round trip \(p) → \(x) → \(back)")
        }
    }

    @Test func betaQuantileEdgeCases() {
        for (a, b) in [(0.5, 0.5), (149.5, 149.5), (1e-3, 1e3), (1e3, 1e-3)] {
            #expect(BetaDistribution.quantile(0, a, b) == 0)
            #expect(BetaDistribution.quantile(1, a, b) == 1)
        }
        // The true quantile (≈ 1e-20000) underflows; scipy returns the clamp 2.2e-308 instead.
        #expect(BetaDistribution.quantile(1e-200, 0.01, 5) <= Double.leastNormalMagnitude)
        // Symmetry x_p(a, b) = 1 − x_{1−p}(b, a), and the upper-tail inverse with tiny q.
        #expect(close(BetaDistribution.quantile(0.2, 3, 7), 1 - BetaDistribution.quantile(0.8, 7, 3), relative: 1e-12))
        let q = 1e-20, x = BetaDistribution.inverseSurvival(q, 149.5, 149.5)
        #expect(close(IncompleteBeta.regularizedComplement(x, 149.5, 149.5), q, relative: 1e-9))
    }

    /// (k, n, confidence, lower, upper): scipy.stats.binomtest(k, n).proportion_ci(confidence, method='exact')
    static let clopperPearson: [(Int, Int, Double, Double, Double)] = [
        (0, 10, 0.95, 0.0, 0.30849710781876294),
        (0, 10, 0.9999, 0.0, 0.6285528757062752),
        (3, 10, 0.95, 0.06673951117773447, 0.652452850060008),
        (3, 10, 0.9999, 0.007568765799995027, 0.8709385489932059),
        (10, 10, 0.95, 0.6915028921812371, 1.0),
        (10, 10, 0.9999, 0.37144712429372484, 1.0),
        (500, 1000, 0.95, 0.46854917297179194, 0.531450827028208),
        (500, 1000, 0.9999, 0.43823683360026655, 0.5617631663997334),
        (7, 1000000, 0.95, 2.8143675343108e-06, 1.4422621834285585e-05),
        (7, 1000000, 0.9999, 9.207374696610562e-07, 2.3928836771021043e-05),
    ]

    /// binomtest finds each bound by brentq with an absolute xtol of 2e-12, so it is only trusted to
    /// 1e-11 absolute; the same bounds as Beta quantiles, scipy.stats.beta.ppf(α/2, k, n−k+1) and
    /// scipy.stats.beta.isf(α/2, k+1, n−k), are checked to 1e-11 relative.
    static let clopperPearsonFromBeta: [(Int, Int, Double, Double, Double)] = [
        (3, 10, 0.95, 0.0667395111777345, 0.6524528500599973),
        (3, 10, 0.9999, 0.007568765799993753, 0.8709385489932059),
        (500, 1000, 0.95, 0.468549172971792, 0.531450827028208),
        (500, 1000, 0.9999, 0.4382368336001881, 0.5617631663998119),
        (7, 1000000, 0.95, 2.8143675343022212e-06, 1.4422621834331028e-05),
        (7, 1000000, 0.9999, 9.207374438013806e-07, 2.392883681387833e-05),
    ]

    @Test func clopperPearsonMatchesScipy() {
        for (k, n, confidence, lower, upper) in Self.clopperPearson {
            let interval = ClopperPearsonInterval(successes: k, trials: n, confidence: confidence)
            #expect(abs(interval.lower - lower) <= 1e-11, "(\(k), \(n), \(confidence)) lower \(interval.lower), scipy \(lower)")
            #expect(abs(interval.upper - upper) <= 1e-11, "(\(k), \(n), \(confidence)) upper \(interval.upper), scipy \(upper)")
            if k == 0 { #expect(interval.lower == 0) }
            if k == n { #expect(interval.upper == 1) }
        }
        for (k, n, confidence, lower, upper) in Self.clopperPearsonFromBeta {
            let interval = ClopperPearsonInterval(successes: k, trials: n, confidence: confidence)
            #expect(close(interval.lower, lower, relative: 1e-11), "(\(k), \(n), \(confidence)) lower \(interval.lower), beta \(lower)")
            #expect(close(interval.upper, upper, relative: 1e-11), "(\(k), \(n), \(confidence)) upper \(interval.upper), beta \(upper)")
        }
    }
}

@Suite("SpecialFunction: goodness-of-fit tests")
struct SpecialFunctionGoodnessOfFitTests {
    /// numpy.random.default_rng(20240607).normal(0.25, 1.0, 40), rounded to 6 decimals.
    static let sample = [
        0.16448, -0.178786, -2.623487, 3.495161, 0.396684, 1.561575, 0.600926, -0.470447, 1.066537, -1.867551,
        0.543877, 0.813962, -0.728887, -0.751406, 0.821524, 0.842384, -0.891907, -1.191429, 2.343482, 0.763175,
        0.279452, -0.918111, -0.638614, -0.308351, -0.308701, -0.323498, 2.307996, 0.828214, -1.167472, 0.716428,
        -1.701806, -0.610278, -0.133034, 1.134486, -0.998926, 0.15478, 0.339594, -1.25284, -0.190714, 1.131403,
    ]
    /// The next 55 draws of the same generator from normal(0, 1.3), with the first five replaced by
    /// `sample`'s to create ties across the samples.
    static let otherSample = [
        0.16448, -0.178786, -2.623487, 3.495161, 0.396684, -2.316687, 1.300716, -0.116368, -0.503415, -0.461665,
        1.476939, 0.142613, 1.64588, 2.401167, -2.019247, 0.369987, 0.594034, 2.905989, 0.59332, 1.666652,
        -1.48061, 0.351786, 0.314393, 0.82437, -1.31802, -0.930349, -0.771209, -0.941129, 0.369909, 0.110515,
        0.73498, 1.489879, -2.649019, -0.356807, 0.232835, -0.802689, -2.824426, -1.263937, -1.714625, 0.358189,
        -3.283533, 0.525254, -1.052925, -0.849003, 0.795987, -0.11582, 1.346649, -1.981898, -1.483514, 0.350508,
        0.529806, -0.090749, -0.269869, -1.070914, 0.925838,
    ]

    /// (λ, scipy.stats.kstwobign.sf(λ)), on both sides of the series switch at 1.18.
    @Test func kolmogorovDistributionMatchesScipy() {
        let reference: [(Double, Double)] = [
            (0.3, 0.9999906941986655), (0.5, 0.9639452436648751), (0.8, 0.5441424115741981),
            (1.0, 0.26999967167735456), (1.1799, 0.12351204971188676), (1.18, 0.1234538094297657),
            (1.5, 0.022217962616525127), (2.0, 0.0006709252557796953), (3.0, 3.045995948942526e-08),
        ]
        for (lambda, expected) in reference {
            let q = KolmogorovSmirnovTest.kolmogorovSurvival(lambda)
            #expect(close(q, expected, relative: 1e-12), "Q_KS(\(lambda)) = \(q), scipy \(expected)")
        }
        #expect(KolmogorovSmirnovTest.kolmogorovSurvival(0) == 1 && KolmogorovSmirnovTest.kolmogorovSurvival(0.01) == 1)
    }

    /// statistic and p-value: scipy.stats.kstest(sample, cdf) (exact for n = 40); Stephens:
    /// scipy.stats.kstwobign.sf((√40 + 0.12 + 0.11/√40) · statistic).
    @Test func oneSampleKSMatchesScipy() {
        let cases: [(String, (Double) -> Double, Double, Double, Double)] = [
            ("norm", { NormalDistribution.cdf($0) }, 0.08813644459315262, 0.8882592335577887, 0.9018758135653842),
            ("norm(0.25)", { NormalDistribution.cdf($0 - 0.25) }, 0.14915272267682878, 0.30466718015773364, 0.31081944032310665),
            ("logistic", { 1 / (1 + exp(-$0)) }, 0.14720890841989237, 0.3193552636315282, 0.32594551899460084),
        ]
        for (name, cdf, statistic, exact, stephens) in cases {
            let test = KolmogorovSmirnovTest(sample: Self.sample, cdf: cdf)
            #expect(close(test.statistic, statistic, relative: 1e-12), "\(name): D = \(test.statistic), scipy \(statistic)")
            #expect(close(test.pValue, stephens, relative: 1e-10), "\(name): p = \(test.pValue), Stephens \(stephens)")
            // Stephens' formula overstates mid-range p-values by up to 1.6e-2 at n = 40 (checked against
            // scipy.stats.kstwo over all D); without the correction the error here would be 2.7e-2.
            #expect(abs(test.pValue - exact) <= 0.02, "\(name): p = \(test.pValue), exact \(exact)")
        }
    }

    /// A low-discrepancy sample wᵢ = (i · 0.7548776662466927) mod 1, i = 1…500 (bit-identical to
    /// numpy.fmod(arange(1, 501) * g, 1)), tested against F(x) = x^1.2 where the p-value is small:
    /// scipy.stats.kstest(w, lambda x: x**1.2) and kstwobign.sf at Stephens' λ. In the upper tail the
    /// asymptotic p-value is within 1e-3 of the exact one.
    @Test func oneSampleKSInTheTailMatchesExactPValue() {
        let w = (1...500).map { (Double($0) * 0.7548776662466927).truncatingRemainder(dividingBy: 1) }
        let test = KolmogorovSmirnovTest(sample: w) { pow($0, 1.2) }
        #expect(close(test.statistic, 0.07129119404623363, relative: 1e-12), "D = \(test.statistic)")
        #expect(close(test.pValue, 0.011722646949726053, relative: 1e-10), "p = \(test.pValue)")
        #expect(abs(test.pValue - 0.011791567669815227) <= 1e-3, "p = \(test.pValue)")
    }

    /// scipy.stats.ks_2samp(sample, otherSample) (exact method) and kstwobign.sf at Stephens' λ with
    /// n_e = 40·55/95.
    @Test func twoSampleKSMatchesScipy() {
        let test = KolmogorovSmirnovTest(Self.sample, Self.otherSample)
        #expect(close(test.statistic, 0.1431818181818182, relative: 1e-12), "D = \(test.statistic)")
        #expect(close(test.pValue, 0.6953953705174416, relative: 1e-10), "p = \(test.pValue)")
        #expect(abs(test.pValue - 0.6691624635850248) <= 0.03, "p = \(test.pValue) vs exact")
        let swapped = KolmogorovSmirnovTest(Self.otherSample, Self.sample)
        #expect(swapped.statistic == test.statistic && swapped.pValue == test.pValue)
        #expect(KolmogorovSmirnovTest(Self.sample, Self.sample).statistic == 0)
    }

    /// Observed counts for 12 cells with p = scipy.stats.binom.pmf(arange(12), 11, 0.3). Cells {0, 1}
    /// and {6, …, 11} are merged (expected 22.6 and 15.6); reference: scipy.stats.chisquare on the
    /// merged 6 cells, df = 5.
    @Test func chiSquareGoodnessOfFitMergesSparseCells() {
        let probabilities = [
            0.019773267429999988, 0.09321683216999993, 0.19975035464999977, 0.25682188454999977,
            0.22013304390000007, 0.1320798263399999, 0.05660563985999997, 0.017328257100000008,
            0.0037131979500000002, 0.0005304568499999999, 4.546772999999997e-05, 1.7714699999999993e-06,
        ]
        let test = ChiSquareTest(observed: [3, 14, 45, 52, 40, 26, 12, 6, 2, 0, 0, 0], expectedProbabilities: probabilities)
        #expect(test.degreesOfFreedom == 5)
        #expect(close(test.statistic, 3.620076304941987, relative: 1e-12), "χ² = \(test.statistic)")
        #expect(close(test.pValue, 0.6053014675217665, relative: 1e-10), "p = \(test.pValue)")

        // scipy.stats.chisquare([18, 22, 16, 25, 19, 20]): no merging needed.
        let die = ChiSquareTest(observed: [18, 22, 16, 25, 19, 20], expectedProbabilities: Array(repeating: 1.0 / 6, count: 6))
        #expect(die.degreesOfFreedom == 5 && close(die.statistic, 2.5, relative: 1e-12))
        #expect(close(die.pValue, 0.7764950711233227, relative: 1e-10), "p = \(die.pValue)")
    }

    @Test func chiSquareMergeRule() {
        // Groups close once they reach 5; the short remainder {1, 1} joins the last group.
        #expect(ChiSquareTest.merge([1, 2, 3, 10, 1, 1]) == [0..<3, 3..<6])
        #expect(ChiSquareTest.merge([5, 5, 5]) == [0..<1, 1..<2, 2..<3])
        #expect(ChiSquareTest.merge([1, 1]) == [0..<2])
        // Too few observations for two cells with expected count ≥ 5: uninformative, so it fails.
        let tiny = ChiSquareTest(observed: [1, 2], expectedProbabilities: [0.5, 0.5])
        #expect(tiny.degreesOfFreedom == 0 && tiny.statistic == 0 && tiny.pValue == 0)
        #expect(ChiSquareTest([3, 2], [1, 4]).pValue == 0)
    }

    @Test func chiSquareNeverHidesImpossibleOutcomes() {
        // A cell of probability 0 is not merged into its neighbour: one count there fails the test,
        // however well the rest fits (merged with its neighbour, [0, 1] would have passed).
        let probabilities = [0.25, 0.25, 0, 0.25, 0.25]
        let fits = ChiSquareTest(observed: [250, 250, 0, 250, 250], expectedProbabilities: probabilities)
        #expect(fits.degreesOfFreedom == 3 && fits.statistic == 0 && fits.pValue == 1 && fits.impossibleCount == 0)
        let impossible = ChiSquareTest(observed: [250, 249, 1, 250, 250], expectedProbabilities: probabilities)
        #expect(impossible.impossibleCount == 1 && impossible.statistic == .infinity && impossible.pValue == 0)
        // Sparse possible cells still merge with each other, never with the impossible one:
        // expected counts {2, 4} form one cell, then {244} and {250}.
        let sparse = ChiSquareTest(observed: [3, 4, 0, 243, 250], expectedProbabilities: [0.004, 0.008, 0, 0.488, 0.5])
        #expect(sparse.degreesOfFreedom == 2 && sparse.impossibleCount == 0 && sparse.pValue > 0.01)
    }

    /// Columns {0, 1, 2} and {7, 8, 9} are merged (smaller-row expectations 13.4 and 7.6); reference:
    /// scipy.stats.chi2_contingency([[12, 25, 41, 38, 20, 12], [18, 30, 35, 22, 9, 5]], correction=False).
    @Test func chiSquareHomogeneityMergesSparseCategories() {
        let a = [1, 2, 9, 25, 41, 38, 20, 8, 3, 1], b = [0, 4, 14, 30, 35, 22, 9, 4, 1, 0]
        let test = ChiSquareTest(a, b)
        #expect(test.degreesOfFreedom == 5)
        #expect(close(test.statistic, 10.422808742808632, relative: 1e-12), "χ² = \(test.statistic)")
        #expect(close(test.pValue, 0.06410411351100317, relative: 1e-10), "p = \(test.pValue)")
        #expect(ChiSquareTest(b, a) == test)
    }

    /// (df, x, scipy.stats.chi2.sf(x, df)) = Q(df/2, x/2).
    @Test func chiSquareTailMatchesScipy() {
        let reference: [(Double, Double, Double)] = [
            (1, 3.841458820694124, 0.04999999999999989), (1, 100, 1.5239706048320995e-23), (2, 0.1, 0.951229424500714),
            (10, 300, 1.5546747543803087e-58), (100, 124.3, 0.050266398300158416), (100, 1000, 2.3060767380354624e-148),
            (7, 2000, 0.0),
        ]
        for (df, x, expected) in reference {
            let q = IncompleteGamma.regularizedUpper(df / 2, x / 2)
            #expect(close(q, expected, relative: tailTolerance(expected)), "chi2.sf(\(x), \(df)) = \(q), scipy \(expected)")
        }
    }

    /// (z, 2·scipy.stats.norm.sf(z), scipy.stats.norm.cdf(−z))
    @Test func normalTailsMatchScipy() {
        let reference: [(Double, Double, Double)] = [
            (0, 1.0, 0.5), (1.959963984540054, 0.05, 0.025), (5, 5.733031437583866e-07, 2.866515718791933e-07),
            (10, 1.523970604832094e-23, 7.61985302416047e-24), (37, 1.1451142445047853e-299, 5.7255712225239266e-300),
        ]
        for (z, twoSided, lowerTail) in reference {
            #expect(close(zTestPValue(z), twoSided, relative: 1e-12), "zTestPValue(\(z)) = \(zTestPValue(z))")
            #expect(zTestPValue(-z) == zTestPValue(z))
            #expect(close(NormalDistribution.cdf(-z), lowerTail, relative: 1e-12), "Φ(−\(z)) = \(NormalDistribution.cdf(-z))")
            #expect(close(NormalDistribution.survival(z), lowerTail, relative: 1e-12))
        }
    }
}
