/// How far each word is from its nearest other word: the scale that any
/// noise added to embeddings must be compared with.
public struct NearestNeighborStatistics: Sendable {
    /// Summary of the distances from each sampled word to its nearest other word.
    public let distances: Summary
    /// Whether every word was measured (otherwise a uniform random sample).
    public let isComplete: Bool
    /// The sampled word with the nearest other word, and that word.
    public let closestPair: (word: Int, neighbor: Neighbor)
    /// The sampled word farthest from any other word, and its nearest word.
    public let loneliest: (word: Int, neighbor: Neighbor)

    /// Measures every word when `V ≤ sampleSize`, else `sampleSize` words
    /// drawn uniformly without replacement with a fixed seed, so the same
    /// store always gives the same figures.
    ///
    /// - Precondition: the store has at least two words and `sampleSize ≥ 1`.
    public init(index: some NeighborIndex, sampleSize: Int, seed: UInt64 = 0x6E65_6967_6862_6F72) {
        let store = index.store
        precondition(store.count >= 2 && sampleSize >= 1)
        var ids = Array(0..<store.count)
        isComplete = store.count <= sampleSize
        if !isComplete {
            var generator = SeededGenerator(seed: seed)
            ids.shuffle(using: &generator)
            ids = Array(ids.prefix(sampleSize)).sorted()
        }
        let nearest = zip(ids, index.neighbors(ofWords: ids, k: 2).map { $0[1] })
        distances = Summary(nearest.map(\.1.distance))!
        // Ties resolve to the lowest word id, so the figures are reproducible.
        closestPair = nearest.min { ($0.1.distance, $0.0) < ($1.1.distance, $1.0) }!
        loneliest = nearest.max { ($0.1.distance, -$0.0) < ($1.1.distance, -$1.0) }!
    }
}
