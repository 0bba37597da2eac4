import Foundation
import Testing
@testable import DPText

/// `ScreeningChoice` on a clock the test advances: each method "costs" a set
/// number of nanoseconds per query, so the choice is deterministic.
@Suite("The measured choice between screening and brute force")
struct ScreeningChoiceTests {
    final class Clock: @unchecked Sendable {
        var nanoseconds: UInt64 = 0
    }

    /// Runs `blocks` blocks of `rows` queries, costing `cost(method, block)`
    /// ns per query; returns the queries each method ran, per block.
    static func simulate(blocks: Int, rows: Int = 256,
                         cost: (ScreeningChoice.Method, Int) -> UInt64) -> [[ScreeningChoice.Method: Int]] {
        let clock = Clock()
        let choice = ScreeningChoice(now: { clock.nanoseconds })
        return (0..<blocks).map { block in
            var ran: [ScreeningChoice.Method: Int] = [:]
            let results = choice.search(rows: 0..<rows) { method, part in
                clock.nanoseconds += cost(method, block) * UInt64(part.count)
                ran[method, default: 0] += part.count
                return .found(part.map { [Neighbor(id: $0, distance: 0)] })
            }
            #expect(results.map { $0[0].id } == Array(0..<rows), "every row answered once, in order")
            return ran
        }
    }

    @Test("a far slower screen is probed on 16 queries at doubling intervals, brute force runs the rest")
    func slowScreenIsAvoided() {
        let ran = Self.simulate(blocks: 2_000) { method, _ in method == .screened ? 24_000 : 1_000 }
        #expect(ran[0] == [.screened: ScreeningChoice.probeRows, .bruteForce: 256 - ScreeningChoice.probeRows])
        let screened = ran.reduce(0) { $0 + ($1[.screened] ?? 0) }
        let probes = ran.filter { $0[.screened] != nil }.count
        // At blocks 0, 8, 16, 32, …, 512, then every 512 blocks: 10 probes in 2,000 blocks.
        #expect(probes == 10, "probes: \(probes)")
        #expect(screened == probes * ScreeningChoice.probeRows)
    }

    @Test("a screen that gives up is charged its cost scaled to the whole vocabulary; brute force answers its rows")
    func screenThatGivesUp() {
        let clock = Clock()
        let choice = ScreeningChoice(now: { clock.nanoseconds })
        var ran: [ScreeningChoice.Method: Int] = [:]
        let results = choice.search(rows: 0..<256) { method, part in
            ran[method, default: 0] += part.count
            switch method {
            case .screened:
                clock.nanoseconds += 500 * UInt64(part.count)  // gave up a tenth of the way: 5,000 per query in all
                return .gaveUp(screenedShare: 0.1)
            case .bruteForce:
                clock.nanoseconds += 1_000 * UInt64(part.count)
                return .found(part.map { [Neighbor(id: $0, distance: 0)] })
            }
        }
        #expect(results.map { $0[0].id } == Array(0..<256))
        #expect(ran == [.screened: ScreeningChoice.probeRows, .bruteForce: 256])
        #expect(choice.preferred == .bruteForce)
    }

    @Test("a faster screen is chosen, and brute force is probed rarely")
    func fastScreenIsChosen() {
        let ran = Self.simulate(blocks: 1_000) { method, _ in method == .screened ? 300 : 1_000 }
        let brute = ran.dropFirst().reduce(0) { $0 + ($1[.bruteForce] ?? 0) }
        #expect(ran[1] == [.screened: 256])
        #expect(ran[8] == [.bruteForce: ScreeningChoice.probeRows, .screened: 256 - ScreeningChoice.probeRows])
        #expect(Double(brute) / Double(999 * 256) < 0.01, "brute force ran \(brute) queries")
    }

    @Test("when the costs swap, the choice follows within one probe interval")
    func choiceFollowsTheCosts() {
        // Screening is cheap for 300 blocks (the interval grows to 64 by then), then 10 times dearer.
        let ran = Self.simulate(blocks: 600) { method, block in
            switch method {
            case .screened: block < 300 ? 300 : 10_000
            case .bruteForce: 1_000
            }
        }
        let switched = (300..<600).first { (ran[$0][.bruteForce] ?? 0) > ScreeningChoice.probeRows }
        #expect(switched != nil && switched! < 300 + 2 * 64 + 2, "switched at block \(switched.map(String.init) ?? "never")")
        #expect(ran.suffix(100).allSatisfy { ($0[.screened] ?? 0) <= ScreeningChoice.probeRows })
    }
}
