import Dispatch
import Foundation

/// How often an attacker who knows the mechanism, ε, the public store and
/// a prior over input words recovers a word from its output (Mechanisms.md
/// §10): the success of the Bayes-optimal context-free attack
/// x̂(y) = argmax_x π(x)·P(y | x),
///
///     ASR = Σ_y max_x π(x)·P(y | x),
///
/// an upper bound for every attack that sees one output word at a time,
/// and of the trivial attack x̂ = y, `unchanged` = Σ_x π(x)·P(x | x).
///
/// - Exact (`exact(law:prior:)`) where P(y | x) has a closed form.
/// - Otherwise estimated from draws without the upward bias of a maximum
///   over noisy estimates (`estimated(privatizer:prior:draws:seed:)`):
///   each word's draws are split in two halves; the attack is fixed from
///   one half's counts and scored on the other, and both ways are
///   averaged (cross-fitting). That scores a real attack, so it estimates
///   a lower bound of the ASR, and its interval is exact arithmetic on
///   independent draws. The plug-in maximum over all draws (biased upward)
///   is reported beside it: the ASR lies roughly between the two.
public struct AttackSuccess: Codable, Sendable, Equatable {
    /// The Bayes-optimal attack's success (exact), or the cross-fitted estimate.
    public let asr: Double
    /// A 95 % interval for `asr` (equal to it when exact).
    public let low: Double
    public let high: Double
    /// The plug-in estimate Σ_y max_x π(x)·P̂(y | x) over all draws (biased
    /// upward; equal to `asr` when exact).
    public let plugin: Double
    /// The trivial attack's success, Σ_x π(x)·P(x | x).
    public let unchanged: Double
    /// `exact` or `split-sample`.
    public let method: String
    /// Draws per word (0 when exact).
    public let draws: Int
}

public enum ReconstructionAttack {
    /// The exact ASR of a mechanism whose output law is known, for inputs
    /// drawn from `prior` (O(words·V) plus the law's own cost per word).
    public static func exact(law: some ExactOutputLaw, prior: WordPrior, outputs: Int) -> AttackSuccess {
        let slices = min(ProcessInfo.processInfo.activeProcessorCount, prior.ids.count)
        var partials = [(best: [Double], unchanged: Double)](repeating: ([], 0), count: slices)
        partials.withUnsafeMutableBufferPointer { output in
            nonisolated(unsafe) let output = output
            DispatchQueue.concurrentPerform(iterations: slices) { slice in
                var best = [Double](repeating: 0, count: outputs), unchanged = 0.0
                for index in stride(from: slice, to: prior.ids.count, by: slices) {
                    let (x, weight) = (prior.ids[index], prior.weights[index])
                    let p = law.probabilities(.word(x))
                    for y in 0..<outputs { best[y] = max(best[y], weight * p[y]) }
                    unchanged += weight * p[x]
                }
                output[slice] = (best, unchanged)
            }
        }
        var best = partials[0].best
        for partial in partials.dropFirst() { for y in 0..<outputs { best[y] = max(best[y], partial.best[y]) } }
        let asr = best.reduce(0, +), unchanged = partials.reduce(0) { $0 + $1.unchanged }
        return AttackSuccess(asr: asr, low: asr, high: asr, plugin: asr, unchanged: unchanged, method: "exact", draws: 0)
    }

    /// The cross-fitted estimate from `draws` outputs per word of `prior`'s
    /// support (an even number ≥ 2); word `x` draws from stream `x` of `seed`.
    public static func estimated(privatizer: Privatizer, prior: WordPrior, draws: Int, seed: UInt64) -> AttackSuccess {
        precondition(draws >= 2 && draws % 2 == 0)
        let half = draws / 2
        var counts = [(first: [Int: Int], second: [Int: Int])](repeating: ([:], [:]), count: prior.ids.count)
        counts.withUnsafeMutableBufferPointer { output in
            nonisolated(unsafe) let output = output
            DispatchQueue.concurrentPerform(iterations: prior.ids.count) { index in
                let x = prior.ids[index]
                var generator = SeededGenerator(seed: seed, stream: UInt64(x))
                let outputs = privatizer.privatize([MechanismInput](repeating: .word(x), count: draws), using: &generator)
                var first: [Int: Int] = [:], second: [Int: Int] = [:]
                for (draw, y) in outputs.enumerated() {
                    if draw < half { first[y ?? x, default: 0] += 1 } else { second[y ?? x, default: 0] += 1 }
                }
                output[index] = (first, second)
            }
        }
        let forward = score(attack: attack(prior: prior, counts: counts.map(\.first)), prior: prior,
                            counts: counts.map(\.second), draws: half)
        let backward = score(attack: attack(prior: prior, counts: counts.map(\.second)), prior: prior,
                             counts: counts.map(\.first), draws: half)
        let asr = (forward.success + backward.success) / 2
        // The two scores are dependent; the standard deviation of their mean is at most the mean of theirs.
        let spread = 1.959964 * (forward.deviation + backward.deviation) / 2
        let merged = zip(counts.map(\.first), counts.map(\.second)).map { $0.merging($1, uniquingKeysWith: +) }
        let plugin = attack(prior: prior, counts: merged).values.reduce(0) { $0 + $1.weight } / Double(draws)
        let unchanged = zip(prior.ids.indices, merged).reduce(0.0) { sum, item in
            sum + prior.weights[item.0] * Double(item.1[prior.ids[item.0]] ?? 0) / Double(draws)
        }
        return AttackSuccess(asr: asr, low: max(0, asr - spread), high: min(1, asr + spread), plugin: plugin,
                             unchanged: unchanged, method: "split-sample", draws: draws)
    }

    /// The attack fixed from counts: for each output seen, the support word
    /// x maximizing π(x)·count(x, y) (ties: the lower id), with that weight.
    static func attack(prior: WordPrior, counts: [[Int: Int]]) -> [Int: (x: Int, weight: Double)] {
        var guesses: [Int: (x: Int, weight: Double)] = [:]
        for (index, outputs) in counts.enumerated() {
            let (x, prior) = (prior.ids[index], prior.weights[index])
            for (y, count) in outputs {
                let weight = prior * Double(count)
                if let current = guesses[y], (current.weight, -current.x) >= (weight, -x) { continue }
                guesses[y] = (x, weight)
            }
        }
        return guesses
    }

    /// The success of `attack` on held-out `counts` (`draws` per word),
    /// with the standard deviation of that estimate. An output the attack
    /// never saw is guessed to be its own input (the trivial attack).
    /// Each word's success fraction k/n enters the variance as
    /// (k + ½)/(n + 1), so that a word always or never recovered still
    /// counts some uncertainty.
    static func score(attack: [Int: (x: Int, weight: Double)], prior: WordPrior, counts: [[Int: Int]], draws: Int)
        -> (success: Double, deviation: Double) {
        var success = 0.0, variance = 0.0
        for (index, outputs) in counts.enumerated() {
            let x = prior.ids[index]
            let hits = outputs.reduce(0) { $0 + ((attack[$1.key]?.x ?? $1.key) == x ? $1.value : 0) }
            let fraction = Double(hits) / Double(draws), smoothed = (Double(hits) + 0.5) / Double(draws + 1)
            success += prior.weights[index] * fraction
            variance += prior.weights[index] * prior.weights[index] * smoothed * (1 - smoothed) / Double(draws)
        }
        return (success, variance.squareRoot())
    }
}
