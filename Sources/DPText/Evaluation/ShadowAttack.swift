import Dispatch
import Foundation

/// The shadow-data attack (Mechanisms.md §10.3): an attacker who holds
/// public text of the same kind privatizes it with the same mechanism and
/// ε, aligns input and output words position by position, learns "output
/// word → the input word most often behind it", and applies that table to
/// the release.
///
/// Here the corpus's even lines (0, 2, 4, …) are the attacker's public text,
/// privatized with streams of `seed + 1`; its odd lines are the private
/// text, privatized with streams of `seed` as a seeded run does. The
/// recovery rate is the fraction of the private text's vocabulary words the
/// table maps back to themselves (an output the table never saw is guessed
/// to be its own input), with a Clopper–Pearson interval — over tokens,
/// whose noise is independent given the table.
public struct ShadowAttackResult: Codable, Sendable, Equatable {
    /// Fraction of the private text's vocabulary words recovered.
    public let recovery: Double
    public let low: Double
    public let high: Double
    /// Fraction of them the mechanism left unchanged (the trivial attack).
    public let unchanged: Double
    /// Vocabulary words in the private text (odd lines).
    public let tokens: Int
    /// Vocabulary words in the attacker's text (even lines).
    public let trainingTokens: Int
}

public enum ShadowAttack {
    public static func measure(lines: [[UInt8]], vocabulary: EmbeddingStore, privatizer: Privatizer, seed: UInt64)
        -> ShadowAttackResult {
        let words = TextRewriter(store: vocabulary, policy: .keep)
        let pairs = alignedPairs(lines: lines, words: words, privatizer: privatizer, seed: seed)
        var table: [Int: [Int: Int]] = [:]
        for (input, output) in pairs.training { table[output, default: [:]][input, default: 0] += 1 }
        let guess = table.mapValues { inputs in inputs.max { ($0.value, -$0.key) < ($1.value, -$1.key) }!.key }
        let recovered = pairs.release.filter { (guess[$0.output] ?? $0.output) == $0.input }.count
        let unchanged = pairs.release.filter { $0.output == $0.input }.count
        let tokens = pairs.release.count
        let interval = tokens > 0 ? ClopperPearsonInterval(successes: recovered, trials: tokens, confidence: 0.95) : nil
        return ShadowAttackResult(
            recovery: Double(recovered) / Double(max(tokens, 1)), low: interval?.lower ?? 0, high: interval?.upper ?? 1,
            unchanged: Double(unchanged) / Double(max(tokens, 1)), tokens: tokens, trainingTokens: pairs.training.count)
    }

    /// (input word, output word) of every vocabulary word: of the even
    /// lines (line i with stream i of seed + 1) and of the odd lines (stream i of seed).
    static func alignedPairs(lines: [[UInt8]], words: TextRewriter, privatizer: Privatizer, seed: UInt64)
        -> (training: [(input: Int, output: Int)], release: [(input: Int, output: Int)]) {
        var pairs = [[(input: Int, output: Int)]](repeating: [], count: lines.count)
        pairs.withUnsafeMutableBufferPointer { output in
            nonisolated(unsafe) let output = output
            DispatchQueue.concurrentPerform(iterations: lines.count) { index in
                let inputs = words.prepare(lines[index]).inputs
                var generator = NoiseSource.seeded(index % 2 == 0 ? seed &+ 1 : seed).generator(input: 0, record: index)
                let outputs = privatizer.privatize(inputs, using: &generator)
                output[index] = zip(inputs, outputs).compactMap { input, word in
                    guard case .word(let id) = input else { return nil }
                    return (id, word ?? id)
                }
            }
        }
        return (stride(from: 0, to: lines.count, by: 2).flatMap { pairs[$0] },
                stride(from: 1, to: lines.count, by: 2).flatMap { pairs[$0] })
    }
}
