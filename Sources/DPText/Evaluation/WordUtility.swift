import Dispatch
import Foundation

/// What a mechanism does to the words of a corpus: the fraction changed,
/// and the mean cosine similarity and mean Euclidean distance between each
/// vocabulary word and its replacement (unchanged words count as cosine 1,
/// distance 0). Out-of-vocabulary words are not measured.
public struct WordUtility: Codable, Sendable, Equatable {
    public let mechanism: String
    public let epsilon: Double
    public let tokens: Int
    public let changedFraction: Double
    public let meanCosine: Double
    public let meanDistance: Double

    /// Measures `privatizer` on every line of `lines`; line i draws from
    /// stream i of `seed` (as a seeded `privatize` run does). `label` names
    /// the mechanism in the result (default: the mechanism's own name).
    public static func measure(
        lines: [[UInt8]], vocabulary: EmbeddingStore, privatizer: Privatizer, epsilon: Double, seed: UInt64,
        label: String? = nil
    ) -> WordUtility {
        let store = vocabulary
        // With `.keep`, the rewriter's inputs are exactly the vocabulary words, found as privatize finds them.
        let words = TextRewriter(store: vocabulary, policy: .keep)
        let slices = ProcessInfo.processInfo.activeProcessorCount
        var partials = [(tokens: Int, changed: Int, cosine: Double, distance: Double)](
            repeating: (0, 0, 0, 0), count: slices)
        partials.withUnsafeMutableBufferPointer { output in
            nonisolated(unsafe) let output = output
            DispatchQueue.concurrentPerform(iterations: slices) { slice in
                var total = (tokens: 0, changed: 0, cosine: 0.0, distance: 0.0)
                for index in stride(from: slice, to: lines.count, by: slices) {
                    let inputs = words.prepare(lines[index]).inputs
                    var generator = NoiseSource.seeded(seed).generator(input: 0, record: index)
                    let outputs = privatizer.privatize(inputs, using: &generator)
                    for (input, output) in zip(inputs, outputs) {
                        guard case .word(let id) = input else { continue }
                        let replacement = output ?? id
                        total.tokens += 1
                        if replacement != id { total.changed += 1 }
                        total.cosine += cosine(store, id, replacement)
                        total.distance += store.distance(between: id, and: replacement)
                    }
                }
                output[slice] = total
            }
        }
        let tokens = partials.reduce(0) { $0 + $1.tokens }
        let count = Double(max(tokens, 1))
        return WordUtility(
            mechanism: label ?? privatizer.mechanism.name, epsilon: epsilon, tokens: tokens,
            changedFraction: Double(partials.reduce(0) { $0 + $1.changed }) / count,
            meanCosine: partials.reduce(0) { $0 + $1.cosine } / count,
            meanDistance: partials.reduce(0) { $0 + $1.distance } / count)
    }

    static func cosine(_ store: EmbeddingStore, _ a: Int, _ b: Int) -> Double {
        let x = store.vector(at: a), y = store.vector(at: b)
        let dot = zip(x, y).reduce(0) { $0 + $1.0 * $1.1 }
        let norms = (x.reduce(0) { $0 + $1 * $1 } * y.reduce(0) { $0 + $1 * $1 }).squareRoot()
        return norms == 0 ? 1 : dot / norms
    }
}
