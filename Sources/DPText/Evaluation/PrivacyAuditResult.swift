import Foundation

/// A vocabulary word in a report: id and text.
public struct AuditWord: Codable, Sendable, Hashable {
    public let id: Int
    public let word: String
}

/// One held-out test: does y come out of `input` more often than the claim
/// allows relative to `other`? (See `PrivacyAudit` for the procedure.)
public struct OutputTest: Codable, Sendable, Equatable {
    /// x, the input whose probability of y is bounded from below.
    public let input: Int
    /// x′, the input whose probability of y is bounded from above.
    public let other: Int
    public let output: AuditWord
    /// c₁(x, y) and c₁(x′, y): selection-half counts (chose this test; not used in its bounds).
    public let selectionCount: Int
    public let otherSelectionCount: Int
    /// c and c′: test-half counts of n draws each.
    public let testCount: Int
    public let otherTestCount: Int
    /// p_L(x, y) = Beta⁻¹(α′/2; c, n − c + 1).
    public let lowerProbability: Double
    /// p_U(x′, y) = Beta⁻¹(1 − α′/2; c′ + 1, n − c′).
    public let upperProbability: Double
    /// `ln((p_L − (1 + e^{ε·d})·δ)/p_U)`; nil when the numerator is ≤ 0 (no evidence).
    public let logRatioLowerBound: Double?
    /// `logRatioLowerBound/(ε·d)`; > 1 is a violation.
    public let ratio: Double?
}

/// The tests of one pair, both directions.
public struct PairAuditResult: Codable, Sendable, Equatable {
    public let pair: AuditPair
    /// ε·d(x, x′), the largest log-ratio the claim allows.
    public let allowedLogRatio: Double
    public let tests: [OutputTest]

    /// The test with the largest loss ratio (nil: none gave a lower bound).
    public var worst: OutputTest? {
        tests.filter { $0.ratio != nil }.max { ($0.ratio!, -$0.output.id) < ($1.ratio!, -$1.output.id) }
    }

    /// The largest certified loss ratio of this pair.
    public var maxRatio: Double? { worst?.ratio }
}

/// The outcome of an audit.
public enum AuditVerdict: Codable, Sendable, Equatable, CustomStringConvertible {
    /// Every certified loss ratio was ≤ 1; `maxRatio` is the largest (nil: no test gave a lower bound).
    case noViolationFound(maxRatio: Double?)
    /// The largest certified loss ratio, > 1: with `pair` = (x, x′) and
    /// output y, `ln P[M(x) = y]/P[M(x′) = y] ≥ logRatioLowerBound > allowed = ε·d(x, x′)`
    /// (with δ subtracted from P[M(x) = y] as in `PrivacyAudit` for (ε, δ) claims).
    case violation(pair: AuditPair, output: AuditWord, ratio: Double, logRatioLowerBound: Double, allowed: Double)

    public var isViolation: Bool {
        if case .violation = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .noViolationFound(let ratio?):
            return "no violation found (largest certified loss ratio \(Self.format(ratio, digits: 2)) of the allowed ε·d)"
        case .noViolationFound(nil):
            return "no violation found (no output gave a positive lower bound)"
        case .violation(let pair, let output, _, let bound, let allowed):
            let (shown, limit) = Self.formatApart(bound, allowed)
            return "violation: pair (\(pair.firstWord), \(pair.secondWord)), output \(output.word): "
                + "ln P[M(\(pair.firstWord))=\(output.word)]/P[M(\(pair.secondWord))=\(output.word)] ≥ \(shown) > ε·d = \(limit)"
        }
    }

    static func format(_ x: Double, digits: Int) -> String { String(format: "%.\(digits)f", x) }

    /// `lower` rounded down and `upper` rounded to nearest, with the fewest
    /// significant digits (3 or more) that keep them apart.
    static func formatApart(_ lower: Double, _ upper: Double) -> (String, String) {
        for digits in 3...15 {
            let scale = pow(10, floor(log10(max(abs(lower), abs(upper), 1e-300))) - Double(digits) + 1)
            let low = (lower / scale).rounded(.down) * scale
            let shown = String(format: "%.\(digits)g", low), limit = String(format: "%.\(digits)g", upper)
            if (Double(shown) ?? low) > (Double(limit) ?? upper) || digits == 15 { return (shown, limit) }
        }
        return ("\(lower)", "\(upper)")
    }
}

/// Everything an audit found, ready for JSON.
public struct PrivacyAuditResult: Codable, Sendable, CustomStringConvertible {
    public let mechanism: String
    public let parameters: [String: Double]
    /// The claim tested.
    public let epsilon: Double
    public let delta: Double
    public let configuration: PrivacyAudit.Configuration
    /// t, the selection threshold used.
    public let selectionThreshold: Int
    /// N, the number of tests over all pairs and directions.
    public let testCount: Int
    /// α′ = α/N (α when N = 0).
    public let adjustedAlpha: Double
    public let pairs: [PairAuditResult]
    public let verdict: AuditVerdict

    /// The largest certified loss ratio over all pairs.
    public var maxRatio: Double? { pairs.compactMap(\.maxRatio).max() }
    public var description: String { verdict.description }
}

extension PrivacyAudit {
    /// The outputs of one direction worth testing, from selection counts
    /// only (`counts` from x, `other` from x′, `draws` each): those with
    /// `counts[y] ≥ threshold`, best first by `ranking` (ties: lower id), at most `limit`.
    static func select(_ counts: [Int: Int], against other: [Int: Int], draws: Int, threshold: Int, limit: Int,
                       ranking: Configuration.Ranking, level: Double) -> [Int] {
        func score(_ c: Int, _ c2: Int) -> Double {
            switch ranking {
            case .empiricalLogRatio:
                return log((Double(c) + 0.5) / (Double(c2) + 0.5))
            case .certifiedLogRatio:
                let (lower, upper) = bounds(count: c, otherCount: c2, trials: draws, adjustedAlpha: level)
                return log(lower / upper)
            }
        }
        return counts.filter { $0.value >= threshold }
            .map { (id: $0.key, score: score($0.value, other[$0.key] ?? 0)) }
            .sorted { ($0.score, -$0.id) > ($1.score, -$1.id) }
            .prefix(limit).map(\.id)
    }

    /// One-sided Clopper–Pearson bounds at level α′/2 each: `p_L` for c of n
    /// successes and `p_U` for c′ of n.
    static func bounds(count c: Int, otherCount c2: Int, trials n: Int, adjustedAlpha: Double) -> (lower: Double, upper: Double) {
        let tail = adjustedAlpha / 2
        let lower = c == 0 ? 0 : BetaDistribution.quantile(tail, Double(c), Double(n - c + 1))
        let upper = c2 == n ? 1 : BetaDistribution.inverseSurvival(tail, Double(c2 + 1), Double(n - c2))
        return (lower, upper)
    }

    /// `ln((p_L − (1 + e^{allowed})·δ)/p_U)`, nil when the numerator is ≤ 0.
    static func certifiedLogRatio(lower: Double, upper: Double, allowed: Double, delta: Double) -> Double? {
        let excess = delta == 0 ? lower : lower - (1 + exp(allowed)) * delta
        return excess > 0 ? log(excess / upper) : nil
    }

    /// Steps 2–4 of the procedure on collected counts (`[pair][side]`).
    static func analyze(
        pairs: [AuditPair], counts: [[SideCounts]], configuration: Configuration, epsilon: Double, delta: Double,
        mechanism: any WordMechanism, store: EmbeddingStore, allowed: ((AuditPair) -> Double)? = nil
    ) -> PrivacyAuditResult {
        let threshold = configuration.selectionThreshold
        // Selection: first halves only.
        let selected = pairs.indices.map { p in
            (0..<2).map { side in
                select(counts[p][side].selection, against: counts[p][1 - side].selection,
                       draws: configuration.selectionDraws, threshold: threshold,
                       limit: configuration.outputsPerDirection, ranking: configuration.ranking,
                       level: configuration.alpha / Double(2 * configuration.outputsPerDirection * pairs.count))
            }
        }
        let testCount = selected.joined().map(\.count).reduce(0, +)
        let adjustedAlpha = configuration.alpha / Double(max(testCount, 1))
        let n = configuration.testDraws
        // Tests: second halves only.
        let results = pairs.indices.map { p in
            let pair = pairs[p]
            let allowed = allowed?(pair) ?? epsilon * pair.distance
            let tests = (0..<2).flatMap { side in
                let mine = counts[p][side], theirs = counts[p][1 - side]
                return selected[p][side].map { y in
                    let c = mine.test[y] ?? 0, c2 = theirs.test[y] ?? 0
                    let (lower, upper) = bounds(count: c, otherCount: c2, trials: n, adjustedAlpha: adjustedAlpha)
                    let bound = certifiedLogRatio(lower: lower, upper: upper, allowed: allowed, delta: delta)
                    return OutputTest(
                        input: side == 0 ? pair.first : pair.second, other: side == 0 ? pair.second : pair.first,
                        output: AuditWord(id: y, word: store.words[y]),
                        selectionCount: mine.selection[y] ?? 0, otherSelectionCount: theirs.selection[y] ?? 0,
                        testCount: c, otherTestCount: c2, lowerProbability: lower, upperProbability: upper,
                        logRatioLowerBound: bound, ratio: bound.map { $0 / allowed })
                }
            }
            return PairAuditResult(pair: pair, allowedLogRatio: allowed, tests: tests)
        }
        let worst = results.compactMap { result in result.worst.map { (result, $0) } }
            .max { $0.1.ratio! < $1.1.ratio! }
        let verdict: AuditVerdict
        if let (result, test) = worst, test.ratio! > 1 {
            verdict = .violation(
                pair: test.input == result.pair.first ? result.pair : result.pair.reversed, output: test.output,
                ratio: test.ratio!, logRatioLowerBound: test.logRatioLowerBound!, allowed: result.allowedLogRatio)
        } else {
            verdict = .noViolationFound(maxRatio: worst?.1.ratio)
        }
        return PrivacyAuditResult(
            mechanism: mechanism.name, parameters: mechanism.parameters.filter { $0.value.isFinite },
            epsilon: epsilon, delta: delta, configuration: configuration, selectionThreshold: threshold,
            testCount: testCount, adjustedAlpha: adjustedAlpha, pairs: results, verdict: verdict)
    }
}
