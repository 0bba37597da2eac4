import Dispatch
import Foundation
import Synchronization

/// An empirical privacy audit of a mechanism (Mechanisms.md §9 T13). It can
/// only find violations, never prove a guarantee.
///
/// The claim under test (§1, F5): for every pair (x, x′) and output y,
///
///     P[M(x) = y] ≤ e^{ε·d(x,x′)}·P[M(x′) = y] + (1 + e^{ε·d(x,x′)})·δ      (δ = 0 for pure claims).
///
/// Procedure, per pair and for both directions (x vs x′ and x′ vs x):
/// 1. **Draws.** M(x) and M(x′) run `drawsPerSide` = m times each. Each side
///    is split into a *selection* half (the first ⌊m/2⌋ draws) and a *test*
///    half (the other ⌈m/2⌉ = n), drawn from disjoint seeded streams.
/// 2. **Selection (first half only).** Candidate outputs y are those with
///    selection count `c₁(x, y) ≥ t`, ranked by a log-ratio estimated from
///    the selection half alone, and the top `outputsPerDirection` are
///    tested. By default (`ranking = .certifiedLogRatio`) the estimate is the
///    bound step 3 would certify from the selection counts; the plain
///    empirical log-ratio `ln((c₁(x,y) + ½)/(c₁(x′,y) + ½))` is the other
///    choice, but it favours rare outputs that no test half can certify
///    much about. T13's threshold is "count ≥ 100" at 10⁶ draws; it is
///    scaled with m as a frequency:
///    `t = max(minimumSelectionCount, ⌈minimumSelectionFrequency·⌊m/2⌋⌉)`,
///    i.e. 100 when the selection half has 10⁶ draws.
/// 3. **Test (second half only).** With c = test count of y from x and c′
///    from x′, and N = the number of tests over all pairs and directions
///    (fixed by the selection halves, so independent of the test halves),
///    Bonferroni's `α′ = α/N` — α/(#outputs · #pairs) when every pair tests
///    the same number — and Clopper–Pearson one-sided bounds, each at α′/2:
///
///        p_L(x, y)  = Beta⁻¹(α′/2; c, n − c + 1)          (0 when c = 0)
///        p_U(x′, y) = Beta⁻¹(1 − α′/2; c′ + 1, n − c′)    (1 when c′ = n)
///
///    With probability ≥ 1 − α all N pairs of bounds hold at once.
/// 4. **Verdict.** The certified lower bound on the log-ratio is
///    `L = ln((p_L − (1 + e^{ε·d})·δ)/p_U)` (undefined when the numerator is
///    ≤ 0), the loss ratio `L/(ε·d)`; a ratio > 1 is a violation, significant
///    at family-wise level α. For (ε, δ) claims this tests single outputs
///    only, a valid but weaker test than over all sets S.
///
/// Determinism: each side's half is drawn in chunks of `chunkSize`, chunk k
/// of (pair p, side s, half h) from `SeededGenerator(seed: seed, stream:)`
/// with a stream built from (p, s, h, k), and counts are sums, so results
/// do not depend on the number of threads or the order work is scheduled
/// in. (pair, side, half) units run in parallel on all cores.
public struct PrivacyAudit: Sendable {
    /// The audit's knobs; defaults follow T13.
    public struct Configuration: Codable, Sendable, Equatable {
        /// m, draws of each side of each pair (T13: 10⁶).
        public var drawsPerSide: Int
        /// α, the family-wise error rate over all tests of a run.
        public var alpha: Double
        /// Outputs tested per pair and direction.
        public var outputsPerDirection: Int
        /// Selection threshold as a frequency of the selection half (10⁻⁴: T13's 100 of 10⁶).
        public var minimumSelectionFrequency: Double
        /// Floor of the selection threshold for small m.
        public var minimumSelectionCount: Int
        public var seed: UInt64
        /// Draws per seeded chunk (part of what the results depend on).
        public var chunkSize: Int
        /// How selection ranks candidate outputs.
        public var ranking: Ranking

        /// Ranking of candidate outputs on the selection half.
        public enum Ranking: String, Codable, Sendable, CaseIterable {
            /// `ln((c₁(x,y) + ½)/(c₁(x′,y) + ½))`.
            case empiricalLogRatio = "empirical"
            /// The log-ratio the selection half itself certifies, `ln(p_L/p_U)`
            /// from its counts at level `α/(2·outputsPerDirection·#pairs)` (the
            /// test's α′ if every direction fills its quota): favours outputs
            /// frequent enough for the test half to certify much.
            case certifiedLogRatio = "certified"
        }

        public init(drawsPerSide: Int = 1_000_000, alpha: Double = 1e-4, outputsPerDirection: Int = 5,
                    minimumSelectionFrequency: Double = 1e-4, minimumSelectionCount: Int = 10,
                    seed: UInt64 = 0, chunkSize: Int = 16_384, ranking: Ranking = .certifiedLogRatio) {
            self.drawsPerSide = drawsPerSide
            self.alpha = alpha
            self.outputsPerDirection = outputsPerDirection
            self.minimumSelectionFrequency = minimumSelectionFrequency
            self.minimumSelectionCount = minimumSelectionCount
            self.seed = seed
            self.chunkSize = chunkSize
            self.ranking = ranking
        }

        /// Draws in the selection half, ⌊m/2⌋.
        public var selectionDraws: Int { drawsPerSide / 2 }
        /// Draws in the test half, n = ⌈m/2⌉.
        public var testDraws: Int { drawsPerSide - drawsPerSide / 2 }
        /// t, the smallest selection count of a tested output.
        public var selectionThreshold: Int {
            max(minimumSelectionCount, Int((minimumSelectionFrequency * Double(selectionDraws)).rounded(.up)))
        }
    }

    public let privatizer: Privatizer
    /// The claimed ε (1/distance units) and δ under test.
    public let epsilon: Double
    public let delta: Double
    /// Whether the claim is the mechanism's own (then each pair is tested
    /// against `WordMechanism.claimedLoss`, and pairs it claims nothing for are
    /// left out), or a given ε (tested as ε·d for every pair).
    public let testsOwnClaim: Bool

    /// - Parameters:
    ///   - epsilon, delta: the claim to test; nil: the mechanism's own
    ///     (`pureMetric` → (ε, 0), `approximateMetric` → (ε, δ), `unverified` → (claimed ε, 0)).
    /// - Throws: `PrivacyAuditError` when there is no claim or it is out of range.
    public init(privatizer: Privatizer, epsilon: Double? = nil, delta: Double? = nil) throws {
        let guarantee = privatizer.mechanism.guarantee
        guard let e = epsilon ?? guarantee.epsilon else { throw PrivacyAuditError.noClaim(privatizer.mechanism.name) }
        let d = delta ?? guarantee.delta
        testsOwnClaim = epsilon == nil
        guard e.isFinite, e > 0, d.isFinite, d >= 0, d < 1 else { throw PrivacyAuditError.invalidClaim(epsilon: e, delta: d) }
        self.privatizer = privatizer
        self.epsilon = e
        self.delta = d
    }

    /// Audits `pairs` (distinct words, d > 0) with `configuration`.
    ///
    /// - Parameter progress: called with the fraction of draws done, from worker threads.
    public func run(pairs: [AuditPair], configuration: Configuration = Configuration(),
                    progress: (@Sendable (Double) -> Void)? = nil) -> PrivacyAuditResult {
        precondition(configuration.drawsPerSide >= 2 && configuration.chunkSize >= 1)
        precondition(configuration.alpha > 0 && configuration.alpha < 1 && configuration.outputsPerDirection >= 1)
        let mechanism = privatizer.mechanism, store = privatizer.decoder.store
        let pairs = testsOwnClaim
            ? pairs.filter { mechanism.claimedLoss(between: $0.first, and: $0.second, in: store) != nil } : pairs
        let counts = collect(pairs: pairs, configuration: configuration, progress: progress)
        let epsilon = self.epsilon
        let allowed: (AuditPair) -> Double = testsOwnClaim
            ? { mechanism.claimedLoss(between: $0.first, and: $0.second, in: store)! } : { epsilon * $0.distance }
        return Self.analyze(pairs: pairs, counts: counts, configuration: configuration, epsilon: epsilon, delta: delta,
                            mechanism: mechanism, store: store, allowed: allowed)
    }

    /// Output counts of one side of a pair: `selection[y]` in the first
    /// half, `test[y]` in the second (sparse: absent means 0).
    struct SideCounts: Sendable, Equatable {
        var selection: [Int: Int]
        var test: [Int: Int]
    }

    /// The stream of chunk `chunk` of half `half` (0 selection, 1 test) of
    /// side `side` (0 first, 1 second) of pair `pair`: distinct for distinct arguments.
    static func stream(pair: Int, side: Int, half: Int, chunk: Int) -> UInt64 {
        precondition(chunk < 1 << 30 && pair < 1 << 32)
        return UInt64(pair) << 32 | UInt64(side) << 31 | UInt64(half) << 30 | UInt64(chunk)
    }

    /// `[pair][side]` counts; `concurrently: false` runs the same units one by one.
    func collect(pairs: [AuditPair], configuration: Configuration, concurrently: Bool = true,
                 progress: (@Sendable (Double) -> Void)? = nil) -> [[SideCounts]] {
        let V = privatizer.decoder.store.count
        let total = Double(2 * pairs.count * configuration.drawsPerSide)
        let done = DrawCounter()
        let units = pairs.count * 4
        var results = [[Int: Int]](repeating: [:], count: units)
        results.withUnsafeMutableBufferPointer { output in
            nonisolated(unsafe) let output = output
            let work: @Sendable (Int) -> Void = { unit in
                let (pair, side, half) = (unit / 4, unit / 2 % 2, unit % 2)
                let word = side == 0 ? pairs[pair].first : pairs[pair].second
                let draws = half == 0 ? configuration.selectionDraws : configuration.testDraws
                var dense = [Int](repeating: 0, count: V)
                for (chunk, start) in stride(from: 0, to: draws, by: configuration.chunkSize).enumerated() {
                    let size = min(configuration.chunkSize, draws - start)
                    var generator = SeededGenerator(
                        seed: configuration.seed, stream: Self.stream(pair: pair, side: side, half: half, chunk: chunk))
                    let outputs = privatizer.privatize(
                        [MechanismInput](repeating: .word(word), count: size), using: &generator)
                    for id in outputs { dense[id ?? word] += 1 }
                    if let progress {
                        progress(Double(done.add(size)) / total)
                    }
                }
                var sparse: [Int: Int] = [:]
                for (id, count) in dense.enumerated() where count > 0 { sparse[id] = count }
                output[unit] = sparse
            }
            if concurrently {
                DispatchQueue.concurrentPerform(iterations: units, execute: work)
            } else {
                for unit in 0..<units { work(unit) }
            }
        }
        return pairs.indices.map { p in
            (0..<2).map { s in SideCounts(selection: results[p * 4 + s * 2], test: results[p * 4 + s * 2 + 1]) }
        }
    }
}

/// Draws done so far, shared by the audit's worker threads.
private final class DrawCounter: Sendable {
    private let count = Atomic<Int>(0)
    /// Adds `draws` and returns the new total.
    func add(_ draws: Int) -> Int { count.add(draws, ordering: .relaxed).newValue }
}

/// Why an audit could not be set up.
public enum PrivacyAuditError: Error, Equatable, CustomStringConvertible {
    /// The mechanism claims nothing (identity) and no ε was given.
    case noClaim(String)
    case invalidClaim(epsilon: Double, delta: Double)

    public var description: String {
        switch self {
        case .noClaim(let name):
            return "\(name) claims no privacy guarantee; give the ε to audit it against."
        case .invalidClaim(let epsilon, let delta):
            return "an audit needs a finite ε > 0 and 0 ≤ δ < 1 (got ε = \(epsilon), δ = \(delta))."
        }
    }
}
