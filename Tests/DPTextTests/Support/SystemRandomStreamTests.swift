import Foundation
import Testing
@testable import DPText

@Suite("System random stream (unseeded noise)")
struct SystemRandomStreamTests {
    @Test("words cross buffer refills, never repeat, and have balanced bits; streams and generator copies behave")
    func words() {
        let stream = SystemRandomStream()
        let count = 3 * SystemRandomStream.bufferWords + 5
        let words = (0..<count).map { _ in stream.nextWord() }
        #expect(Set(words).count == count, "64-bit words repeat with probability ≈ 2⁻⁴⁰ here")
        // Each of the 64 bit positions is set in about half the words: |ones − n/2| ≤ 5·√(n/4).
        for bit in 0..<64 {
            let ones = words.filter { $0 >> UInt64(bit) & 1 == 1 }.count
            #expect(abs(Double(ones) - Double(count) / 2) <= 5 * (Double(count) / 4).squareRoot(), "bit \(bit): \(ones)")
        }
        // Another stream gives other words; copies of a generator share their stream's buffer (no word twice).
        let other = SystemRandomStream()
        #expect(other.nextWord() != stream.nextWord())
        var a = NoiseGenerator.system(other), b = a
        let drawn = [a.next(), b.next(), a.next(), b.next()]
        #expect(Set(drawn).count == 4 && !a.isSeeded)
        var seeded = NoiseGenerator.seeded(SeededGenerator(seed: 3)), reference = SeededGenerator(seed: 3)
        #expect(seeded.next() == reference.next() && seeded.isSeeded)
    }
}
