#if canImport(Glibc)
import Glibc
#endif

/// Plausible-deniability statistics of a mechanism for one word, estimated
/// by running it `draws` times (Mechanisms.md §2.4).
///
/// - `N_w = P[M(w) = w]`, the probability the word survives, with an exact
///   Clopper–Pearson interval.
/// - `S_w`, the effective support: here the number of distinct outputs seen
///   (the η ≈ 1/m version, so it depends on `draws`, reported with it), and
///   the perplexity `exp(H(p̂_w))` of the empirical output distribution.
public struct DeniabilityEstimate: Sendable {
    public let word: Int
    public let draws: Int
    /// How many draws returned each output word.
    public let outputCounts: [Int: Int]

    /// Runs `privatizer` on `word` `draws` times with `generator`.
    public init<G: RandomNumberGenerator>(
        word: Int, draws: Int, privatizer: Privatizer, using generator: inout G
    ) {
        precondition(draws >= 1)
        let outputs = privatizer.privatize([MechanismInput](repeating: .word(word), count: draws), using: &generator)
        var counts: [Int: Int] = [:]
        for output in outputs { counts[output ?? word, default: 0] += 1 }
        self.word = word
        self.draws = draws
        self.outputCounts = counts
    }

    /// `N̂_w`: the fraction of draws that returned the word itself.
    public var survival: Double { Double(outputCounts[word] ?? 0) / Double(draws) }

    /// Exact binomial interval for `N_w` at `confidence`.
    public func survivalInterval(confidence: Double) -> ClopperPearsonInterval {
        ClopperPearsonInterval(successes: outputCounts[word] ?? 0, trials: draws, confidence: confidence)
    }

    /// `Ŝ_w`: the number of distinct outputs.
    public var support: Int { outputCounts.count }

    /// `exp(H(p̂_w))`, the perplexity of the output distribution.
    public var perplexity: Double {
        let total = Double(draws)
        // Summed in output-id order: dictionary order varies between processes,
        // and the last bits of a floating-point sum depend on its order.
        let entropy = outputCounts.sorted { $0.key < $1.key }.map(\.value).reduce(0.0) { sum, count in
            let p = Double(count) / total
            return sum - p * log(p)
        }
        return exp(entropy)
    }
}
