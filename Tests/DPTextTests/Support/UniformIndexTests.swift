import Foundation
import Testing
@testable import DPText

@Suite("Uniform indices (Lemire's multiply-and-reject)")
struct UniformIndexTests {
    /// Returns scripted words, then fails.
    struct ScriptedGenerator: RandomNumberGenerator {
        var words: [UInt64]
        mutating func next() -> UInt64 { words.removeFirst() }
    }

    @Test("a low word below 2⁶⁴ mod n is rejected and the next word decides")
    func rejectsTheBiasedLowWords() {
        // n = 3: 2⁶⁴ mod 3 = 1, so only x with low(3x) = 0, i.e. x = 0, is rejected.
        var generator = ScriptedGenerator(words: [0, .max])
        #expect(generator.nextIndex(below: 3) == 2 && generator.words.isEmpty)
        // x = 2⁶³: 3x = 2⁶⁴ + 2⁶³, index 1, low word far above the threshold: accepted at once.
        generator = ScriptedGenerator(words: [1 << 63, 0])
        #expect(generator.nextIndex(below: 3) == 1 && generator.words == [0])
        generator = ScriptedGenerator(words: [12_345])
        #expect(generator.nextIndex(below: 1) == 0)
    }

    @Test("indices are uniform (χ², 70,000 draws per n, α = 10⁻⁴)", arguments: [2, 7, 10, 1000])
    func uniform(count: Int) {
        var generator = SeededGenerator(seed: UInt64(count))
        var counts = [Int](repeating: 0, count: count)
        for _ in 0..<70_000 { counts[generator.nextIndex(below: count)] += 1 }
        let test = ChiSquareTest(observed: counts, expectedProbabilities: [Double](repeating: 1 / Double(count), count: count))
        #expect(test.pValue > 1e-4, "χ² = \(test.statistic), p = \(test.pValue)")
    }
}
