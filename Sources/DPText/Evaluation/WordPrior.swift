/// An adversary's prior over input words, for attack evaluation
/// (Mechanisms.md §10): what it believes about the input before it sees an
/// output. Restricted to a support of the most probable words (the
/// attacker knows the input is one of them), renormalized there; the mass
/// left out is reported.
public struct WordPrior: Sendable {
    /// `uniform`, `zipf`, or the corpus the counts come from.
    public let name: String
    /// The support: word ids, most probable first (ties by lower id).
    public let ids: [Int]
    /// Their probabilities, summing to 1.
    public let weights: [Double]
    /// The probability the unrestricted prior gave the support.
    public let mass: Double

    /// The prior `weights` over every word id (any scale), restricted to its `words` most probable.
    public init(name: String, weights all: [Double], words: Int) {
        precondition(words >= 1 && !all.isEmpty)
        let total = all.reduce(0, +)
        let order = all.indices.filter { all[$0] > 0 }.sorted { (all[$0], $1) > (all[$1], $0) }
        let support = Array(order.prefix(words))
        let kept = support.reduce(0) { $0 + all[$1] }
        (self.name, self.ids, self.weights, self.mass) = (name, support, support.map { all[$0] / kept }, kept / total)
    }

    /// Every word equally likely (the support: the first `words` ids, the store's most frequent).
    public static func uniform(wordCount: Int, words: Int) -> WordPrior {
        WordPrior(name: "uniform", weights: [Double](repeating: 1, count: wordCount), words: words)
    }

    /// Zipf's law over the store's frequency order: word id r has weight 1/(r + 1).
    public static func zipf(wordCount: Int, words: Int) -> WordPrior {
        WordPrior(name: "zipf", weights: (0..<wordCount).map { 1 / Double($0 + 1) }, words: words)
    }

    /// The word counts of a public corpus (`counts[id]`: occurrences of vocabulary word `id`).
    public static func counts(_ counts: [Int], name: String, words: Int) -> WordPrior {
        WordPrior(name: name, weights: counts.map(Double.init), words: words)
    }
}
