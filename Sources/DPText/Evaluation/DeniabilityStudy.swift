import Dispatch

/// Plausible-deniability statistics of a mechanism over a word sample
/// (Mechanisms.md §2.4): `N_w` with its Clopper–Pearson interval, `S_w`
/// (distinct outputs in m draws) and the perplexity `exp(H(p̂_w))`, per word
/// and summarized over words.
///
/// Every word draws from its own seeded stream (stream = word id), so
/// results do not depend on thread count or on which other words are in the
/// sample, and any word's figures can be recomputed exactly.
public enum DeniabilityStudy {
    /// One word's estimates.
    public struct WordResult: Codable, Sendable, Equatable {
        public let word: String
        public let id: Int
        public let survival: Double
        public let survivalLower: Double
        public let survivalUpper: Double
        public let support: Int
        public let perplexity: Double
    }

    /// One mechanism at one ε: how it went, its parameters, the summary rows
    /// and every word's figures — what `dptext evaluate deniability` stores.
    public struct Run: Codable, Sendable {
        public let mechanism: String
        public let epsilon: Double
        /// `ok`, or `refused` (the mechanism does not run at this ε; `note` says why).
        public let status: String
        public let note: String?
        public let parameters: [String: Double]
        public let guarantee: String?
        public let seed: UInt64
        public let rows: [Row]
        public let perWord: [WordResult]

        public init(
            mechanism: String, epsilon: Double, status: String, note: String?, parameters: [String: Double],
            guarantee: String?, seed: UInt64, rows: [Row], perWord: [WordResult]
        ) {
            self.mechanism = mechanism
            self.epsilon = epsilon
            self.status = status
            self.note = note
            self.parameters = parameters
            self.guarantee = guarantee
            self.seed = seed
            self.rows = rows
            self.perWord = perWord
        }
    }

    /// A summary line: one statistic of one mechanism at one ε, over words.
    public struct Row: Codable, Sendable, Equatable {
        public let mechanism: String
        public let epsilon: Double
        public let words: Int
        public let draws: Int
        /// `n_w`, `s_w` or `perplexity`.
        public let statistic: String
        public let mean: Double
        public let median: Double
        public let p05: Double
        public let p95: Double
    }

    /// `count` word ids stratified by frequency: the ids (in frequency order)
    /// are cut into `strata` equal bands and the same number of words is
    /// drawn uniformly without replacement from each (the first bands take
    /// one more when `count` does not divide evenly). Sorted, reproducible.
    public static func sampleWords(vocabularySize: Int, count: Int, strata: Int = 10, seed: UInt64) -> [Int] {
        precondition(count >= 1 && strata >= 1)
        guard count < vocabularySize else { return Array(0..<vocabularySize) }
        var generator = SeededGenerator(seed: seed)
        var sample: [Int] = []
        for band in 0..<strata {
            let range = band * vocabularySize / strata..<(band + 1) * vocabularySize / strata
            let take = min(count / strata + (band < count % strata ? 1 : 0), range.count)
            var ids = Array(range)
            ids.shuffle(using: &generator)
            sample += ids.prefix(take)
        }
        return sample.sorted()
    }

    /// Runs `privatizer` `draws` times on each word; word `id` uses stream
    /// `id` of `seed`.
    public static func estimate(
        words: [Int], draws: Int, privatizer: Privatizer, seed: UInt64, confidence: Double = 0.95
    ) -> [WordResult] {
        let store = privatizer.decoder.store
        var results = [WordResult?](repeating: nil, count: words.count)
        results.withUnsafeMutableBufferPointer { output in
            nonisolated(unsafe) let output = output
            DispatchQueue.concurrentPerform(iterations: words.count) { index in
                var generator = SeededGenerator(seed: seed, stream: UInt64(words[index]))
                let estimate = DeniabilityEstimate(
                    word: words[index], draws: draws, privatizer: privatizer, using: &generator)
                let interval = estimate.survivalInterval(confidence: confidence)
                output[index] = WordResult(
                    word: store.words[words[index]], id: words[index], survival: estimate.survival,
                    survivalLower: interval.lower, survivalUpper: interval.upper,
                    support: estimate.support, perplexity: estimate.perplexity)
            }
        }
        return results.map { $0! }
    }

    /// Mean, median, 5 % and 95 % quantiles of each statistic over words.
    public static func summarize(
        mechanism: String, epsilon: Double, draws: Int, results: [WordResult]
    ) -> [Row] {
        let statistics: [(String, (WordResult) -> Double)] = [
            ("n_w", \.survival), ("s_w", { Double($0.support) }), ("perplexity", \.perplexity),
        ]
        return statistics.map { name, value in
            let values = results.map(value).sorted()
            return Row(mechanism: mechanism, epsilon: epsilon, words: results.count, draws: draws, statistic: name,
                       mean: values.reduce(0, +) / Double(values.count), median: quantile(values, 0.5),
                       p05: quantile(values, 0.05), p95: quantile(values, 0.95))
        }
    }

    /// Linear interpolation between order statistics (Hyndman–Fan type 7).
    static func quantile(_ sorted: [Double], _ p: Double) -> Double {
        let position = p * Double(sorted.count - 1)
        let low = Int(position), high = min(low + 1, sorted.count - 1)
        return sorted[low] + (position - Double(low)) * (sorted[high] - sorted[low])
    }
}
