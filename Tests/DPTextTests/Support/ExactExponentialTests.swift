import BigInt
import Foundation
import Testing
@testable import DPText

/// Exact coins for weights e^{−x}: rigorous bounds, integer proposal
/// weights that bound the true weight, and decisions that are the exact
/// event U < a — including where floating point underflows.
@Suite("Exact exponential weights and coins")
struct ExactExponentialTests {
    /// 1/e to 100 decimal places (OEIS A068985).
    static let inverseE = "3678794411714423215955237701614608674458111310317678345078368016974614957448998033571472743459196437"

    /// Returns scripted words, then fails.
    struct ScriptedGenerator: RandomNumberGenerator {
        var words: [UInt64]
        mutating func next() -> UInt64 { words.removeFirst() }
    }

    @Test("bounds on e^{−1} at 300 bits contain its first 100 decimals, and are a few units apart")
    func inverseEDigits() {
        let (low, high) = ExponentialEnclosure.bounds(1, precision: 300)
        let digits = BigUInt(Self.inverseE)!            // ⌊10^100 / e⌋
        let scale = BigUInt(10).power(100), one = BigUInt(1) << 300
        // low/2^300 ≤ 1/e < (digits + 1)/10^100 and high/2^300 ≥ 1/e ≥ digits/10^100.
        #expect(low * scale < (digits + 1) * one)
        #expect(high * scale >= digits * one)
        #expect(high - low < 64, "gap \(high - low)")
    }

    @Test("bounds bracket the libm value within its error, at every magnitude up to underflow",
          arguments: [0, 1e-300, 2.5e-10, 0.125, 0.5, 0.999, 1, 1.5, 7.25, 30, 100.1, 500, 700, 744])
    func agreeWithLibm(x: Double) {
        let precision = 1200
        let (low, high) = ExponentialEnclosure.bounds(x, precision: precision)
        #expect(low <= high && high - low < 1 << 20)
        // exp(−x) from libm is within 2⁻⁵⁰ of the truth (or 2⁻¹⁰⁷⁴ absolutely); compared at 2^precision.
        let reference = exp(-x)
        #expect(low <= Self.scaled(reference * (1 + 0x1p-49) + 0x1p-1074, precision) + 1)
        #expect(high + 1 >= Self.scaled(max(0, reference * (1 - 0x1p-49) - 0x1p-1074), precision))
    }

    /// ⌊value · 2^precision⌋, exactly.
    static func scaled(_ value: Double, _ precision: Int) -> BigUInt {
        guard value > 0 else { return 0 }
        let (m, e) = ExponentialEnclosure.dyadic(value)
        return precision >= e ? m << (precision - e) : m >> (e - precision)
    }

    @Test("far below the double range: e^{−800} from its square root's bounds, e^{−1e6} is (0, 1)")
    func belowTheDoubleRange() {
        let precision = 2_000
        let (low, high) = ExponentialEnclosure.bounds(800, precision: precision)
        let (halfLow, halfHigh) = ExponentialEnclosure.bounds(400, precision: precision)
        #expect(low > 0 && high - low < 1 << 20)
        // e^{−800} = (e^{−400})²: the squared bounds must overlap the direct ones.
        #expect((halfLow * halfLow) >> precision <= high && ExponentialEnclosure.ceilShift(halfHigh * halfHigh, by: precision) >= low)
        #expect(ExponentialEnclosure.bounds(1e6, precision: 64) == (0, 1))
        #expect(ExponentialEnclosure.bounds(0, precision: 8) == (256, 256))
    }

    @Test("integer weights bound 2^s·e^{−x} from above, proven with the exact bounds",
          arguments: [61, 43, 30])
    func weightsAreUpperBounds(scale: Int) {
        var generator = SeededGenerator(seed: UInt64(scale))
        var xs: [Double] = [0, 0x1p-1074, 1e-300, 1e-16, 0.5, 1, 40, 700, 744.5, 745.2, 746, 800, 5_000]
        for _ in 0..<300 { xs.append(Double.random(in: 0..<60, using: &generator)) }
        for x in xs {
            let q = ExponentialCoin.weight(x, scale: scale)
            let (_, high) = ExponentialEnclosure.bounds(x, precision: 256)
            // q ≥ 2^s·e^{−x} because q·2^256 ≥ 2^s·high ≥ 2^s·2^256·e^{−x}.
            #expect(BigUInt(q) << 256 >= high << scale, "x = \(x)")
            #expect(q >= 2)
        }
        #expect(ExponentialCoin.weight(.infinity, scale: scale) == 0)
    }

    @Test("the floating-point decision, where it decides, is the exact one; near the threshold the exact path decides")
    func fastPathAgrees() {
        var generator = SeededGenerator(seed: 11)
        let scale = 41
        var undecided = 0
        for trial in 0..<3_000 {
            let x = trial % 3 == 0 ? Double.random(in: 0..<3, using: &generator) : Double.random(in: 0..<60, using: &generator)
            let q = ExponentialCoin.weight(x, scale: scale) + UInt64(trial % 5)
            // Half the first words uniform, half placed right at the floating-point threshold.
            let estimate = scalbn(exp(-x), Int32(scale)) / Double(q)
            let threshold = scalbn(estimate, 64)
            let r = trial % 2 == 0 || !(threshold < 0x1p64) ? generator.next()
                : UInt64(threshold.rounded(.down)) &+ UInt64(bitPattern: Int64(trial % 7) - 3)
            var rest = SeededGenerator(seed: UInt64(trial))
            let exact = ExponentialCoin.decideExactly(x, weight: q, scale: scale, firstBits: r, using: &rest)
            if let fast = ExponentialCoin.fastDecision(x, weight: q, scale: scale, firstBits: r) {
                #expect(fast == exact, "x = \(x), r = \(r)")
            } else {
                undecided += 1
            }
        }
        #expect(undecided > 100, "the threshold cases reach the exact path: \(undecided)")
    }

    @Test("a weight that underflows in floating point can still be drawn: x = 800 accepts when U is small enough")
    func underflowedWeightIsPossible() {
        // a = 2^s·e^{−800}/q ≈ 2^{61−1154}: U below it needs 1,100 leading zero bits, then anything small.
        let scale = 61, x = 800.0
        let q = ExponentialCoin.weight(x, scale: scale)
        #expect(exp(-x) == 0 && q == 2)
        var zeros = ScriptedGenerator(words: Array(repeating: 0, count: 40))
        #expect(ExponentialCoin.flip(x, weight: q, scale: scale, using: &zeros))
        var large = ScriptedGenerator(words: [1 << 40])
        #expect(!ExponentialCoin.flip(x, weight: q, scale: scale, using: &large))
    }

    @Test("coins and choices follow their laws (χ², α = 10⁻⁴)")
    func laws() {
        var generator = SeededGenerator(seed: 2026)
        // Coins: 40,000 flips at each of five probabilities.
        for x in [0.0, 0.1, 1, 3, 9] {
            let scale = 20
            let q = ExponentialCoin.weight(x, scale: scale) + 12_345
            let a = scalbn(exp(-x), Int32(scale)) / Double(q)
            let heads = (0..<40_000).filter { _ in ExponentialCoin.flip(x, weight: q, scale: scale, using: &generator) }.count
            let test = ChiSquareTest(observed: [heads, 40_000 - heads], expectedProbabilities: [a, 1 - a])
            #expect(test.pValue > 1e-4, "x = \(x): \(heads) heads, p = \(test.pValue)")
        }
        // A choice among weights e^{−x} that span 13 orders of magnitude.
        let exponents = [0, 0.7, 2, 2, 5, 9, 30]
        let scale = ExponentialCoin.scale(forSlots: exponents.count)
        let cumulative = ExponentialChoice.cumulativeWeights(exponents, scale: scale)
        var counts = [Int](repeating: 0, count: exponents.count)
        for _ in 0..<100_000 {
            counts[ExponentialChoice.draw(exponents: exponents, cumulative: cumulative, scale: scale, using: &generator)] += 1
        }
        let weights = exponents.map { exp(-$0) }, total = weights.reduce(0, +)
        let test = ChiSquareTest(observed: counts, expectedProbabilities: weights.map { $0 / total })
        #expect(test.pValue > 1e-4, "\(counts), p = \(test.pValue)")
    }
}
