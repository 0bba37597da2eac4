/// Ranks a few words by their exact distance to a vector, the way every
/// search in dptext ranks (`RankedCandidate`: nearer first, ties by lower
/// id) — for a single query or a short candidate list, where a batched
/// index search would cost more than it saves.
enum ExactRanking {
    /// The `k` nearest of `ids` to `query`, nearest first.
    static func nearest(in store: EmbeddingStore, among ids: some Sequence<Int>, to query: UnsafeBufferPointer<Double>,
                        k: Int) -> [Neighbor] {
        ids.map { RankedCandidate(squaredDistance: store.squaredDistance(from: query, to: $0), id: $0) }
            .sorted().prefix(k).map(\.neighbor)
    }

    /// The `k` nearest of `ids` to `vector`, nearest first.
    static func nearest(in store: EmbeddingStore, among ids: some Sequence<Int>, to vector: [Double], k: Int) -> [Neighbor] {
        vector.withUnsafeBufferPointer { nearest(in: store, among: ids, to: $0, k: k) }
    }

    /// The nearest of `ids` to `vector` (nil when `ids` is empty).
    static func nearest(in store: EmbeddingStore, among ids: some Sequence<Int>, to vector: [Double]) -> Int? {
        vector.withUnsafeBufferPointer { query in
            ids.lazy.map { RankedCandidate(squaredDistance: store.squaredDistance(from: query, to: $0), id: $0) }.min()?.id
        }
    }
}
