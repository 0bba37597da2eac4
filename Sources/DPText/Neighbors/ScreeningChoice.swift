import Foundation

/// Chooses, block by block, between principal-axes screening and brute
/// force for an `ExactNeighborIndex` by what each costs per query here.
///
/// Both searches are exact and return the same neighbours (same ids, same
/// order), so the choice changes only speed, never an answer or a seeded
/// output. Which is faster depends on things no formula knows: whether the
/// processor runs the screen in vector instructions, how much of the
/// vocabulary the screen's bound rules out (little in 300 dimensions, where
/// the screened coordinates hold a small share of each vector; almost all in
/// 50), and how far the queries lie from the words, which ε sets. So the
/// index measures: the first block runs `probeRows` queries screened and the
/// rest by brute force; afterwards each block runs by the cheaper method (an
/// average of seconds per query over recent blocks), and the other method is
/// probed again on `probeRows` queries after `interval` blocks, an interval
/// that doubles (up to `longestInterval`) each time the probe loses and
/// returns to `shortestInterval` when the choice changes (so probes of a
/// losing method fall at blocks 8, 16, 32, …, 512, then every 512). The
/// chosen method's own cost is updated every block, so a change of ε or of
/// text that makes it dearer is seen at once. With the screen far
/// slower (24 times in 300d on AVX2), probing costs a few percent at first
/// and about a thousandth after a thousand blocks.
final class ScreeningChoice: @unchecked Sendable {
    enum Method: Int { case screened, bruteForce }

    /// Queries a probe runs: one group of the screen's 16 lanes.
    static let probeRows = 16
    static let shortestInterval = 8
    static let longestInterval = 512
    /// Weight of the newest block in the running cost per query.
    static let newestWeight = 0.25

    /// Nanoseconds on a monotonic clock (tests pass their own).
    private let now: @Sendable () -> UInt64
    private let lock = NSLock()
    /// Seconds per query of each method, nil until measured.
    private var costs: [Double?] = [nil, nil]
    private var blocksUntilProbe = 0
    private var interval = ScreeningChoice.shortestInterval

    init(now: @escaping @Sendable () -> UInt64 = { DispatchTime.now().uptimeNanoseconds }) {
        self.now = now
    }

    /// The cheaper method so far (screened until both are measured).
    var preferred: Method {
        lock.withLock { preferredLocked }
    }

    private var preferredLocked: Method {
        guard let screened = costs[0], let brute = costs[1] else { return costs[1] == nil ? .bruteForce : .screened }
        return screened <= brute ? .screened : .bruteForce
    }

    /// What a method's run gives: the neighbours, or, for a screen that gave
    /// up (its bound was not pruning), the share of the vocabulary it had
    /// screened by then.
    enum Outcome {
        case found([[Neighbor]])
        case gaveUp(screenedShare: Double)
    }

    /// Searches `rows` by the chosen method (after a probe of the other on
    /// the first `probeRows` rows when one is due), timing each part. A
    /// screen that gives up is charged its time so far scaled to the whole
    /// vocabulary, and its rows are searched by brute force.
    func search(rows: Range<Int>, by run: (Method, Range<Int>) -> Outcome) -> [[Neighbor]] {
        let (method, probe) = plan()
        var results: [[Neighbor]] = []
        results.reserveCapacity(rows.count)
        var rest = rows
        if let probe {
            let probed = rows.lowerBound..<min(rows.upperBound, rows.lowerBound + Self.probeRows)
            results += timed(probe, probed, run)
            rest = probed.upperBound..<rows.upperBound
        }
        if !rest.isEmpty { results += timed(method, rest, run) }
        return results
    }

    /// The method for this block, and the method to probe first, if any.
    private func plan() -> (Method, probe: Method?) {
        lock.withLock {
            if costs[0] == nil { return (.bruteForce, .screened) }
            if costs[1] == nil { return (.screened, .bruteForce) }
            let method = preferredLocked
            blocksUntilProbe -= 1
            guard blocksUntilProbe <= 0 else { return (method, nil) }
            blocksUntilProbe = interval
            return (method, method == .screened ? .bruteForce : .screened)
        }
    }

    private func timed(_ method: Method, _ rows: Range<Int>,
                       _ run: (Method, Range<Int>) -> Outcome) -> [[Neighbor]] {
        let start = now()
        let outcome = run(method, rows)
        let seconds = Double(now() &- start) / 1e9
        switch outcome {
        case .found(let results):
            record(method, secondsPerQuery: seconds / Double(rows.count))
            return results
        case .gaveUp(let share):
            record(method, secondsPerQuery: seconds / Double(rows.count) / max(share, 1e-6))
            return timed(.bruteForce, rows, run)
        }
    }

    private func record(_ method: Method, secondsPerQuery cost: Double) {
        lock.withLock {
            let before = costs[1] == nil || costs[0] == nil ? nil : preferredLocked
            let old = costs[method.rawValue]
            costs[method.rawValue] = old.map { $0 + Self.newestWeight * (cost - $0) } ?? cost
            guard let before else {
                blocksUntilProbe = interval
                return
            }
            if preferredLocked != before {
                interval = Self.shortestInterval
                blocksUntilProbe = interval
            } else if method != before {
                interval = min(2 * interval, Self.longestInterval)  // the probe lost
            }
        }
    }
}
