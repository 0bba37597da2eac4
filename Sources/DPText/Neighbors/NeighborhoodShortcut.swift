/// Finds the exact nearest word of a point drawn near a known vocabulary
/// word from that word's neighbour list alone, when the triangle
/// inequality proves no other word can be nearer — without a full search.
///
/// For a point z, a word w and w's K nearest other words C (a
/// `NeighborTable` row; every other word u has d(w, u) ≥ r_K, the distance
/// to the K-th): d(z, u) ≥ d(w, u) − d(z, w) ≥ r_K − d(z, w). So if the
/// nearest of {w} ∪ C is strictly nearer to z than r_K − d(z, w), it is the
/// nearest word of the whole vocabulary (ties inside the list go to the
/// lower id, as in exhaustive search). A relative margin of 10⁻⁹ covers
/// rounding in the computed distances.
///
/// It succeeds when the noise is small next to r_K: on GloVe 6B 50d
/// (368,770 words, K = 44) for Laplace noise at ε = 30 about half the draws,
/// at ε = 10 none (the noise norm, ≈ 5, exceeds typical r_K). The answer is
/// the same as exhaustive search either way; only the time differs, and it
/// depends on the input word (Mechanisms.md §8.11).
public struct NeighborhoodShortcut: Sendable {
    public let table: NeighborTable
    let store: EmbeddingStore

    /// - Precondition: `table` lists `store`'s words.
    public init(table: NeighborTable, store: EmbeddingStore) {
        precondition(table.wordCount == store.count || table.width == 0, "the table is for another vocabulary")
        self.table = table
        self.store = store
    }

    /// The nearest vocabulary word of `point` if `word`'s neighbourhood proves it, else nil.
    public func nearest(to point: UnsafeBufferPointer<Double>, around word: Int) -> Int? {
        let neighbors = table.neighbors(of: word)
        guard let last = neighbors.last else { return nil }
        let radius = store.squaredDistance(between: word, and: Int(last)).squareRoot()
        let fromWord = store.squaredDistance(from: point, to: word).squareRoot()
        let reach = (radius - fromWord) * (1 - 1e-9)
        guard reach > 0 else { return nil }
        var best = word, bestSquared = fromWord * fromWord
        for neighbor in neighbors {
            let id = Int(neighbor)
            let squared = store.squaredDistance(from: point, to: id)
            if squared < bestSquared || (squared == bestSquared && id < best) { (best, bestSquared) = (id, squared) }
        }
        return bestSquared.squareRoot() * (1 + 1e-9) < reach ? best : nil
    }
}
