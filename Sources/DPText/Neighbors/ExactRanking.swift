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

    /// The nearest of `ids` to `vector` (nil when `ids` is empty), eight
    /// words at a time (`squaredDistances`, equal to the one-word distance
    /// to the last bit), so that long lists run eight independent sums.
    static func nearest(in store: EmbeddingStore, among candidates: some Sequence<Int>, to vector: [Double]) -> Int? {
        let ids = Array(candidates)
        return vector.withUnsafeBufferPointer { query in
            var best: RankedCandidate?
            for first in stride(from: 0, to: ids.count, by: 8) {
                let batch = ids[first..<min(ids.count, first + 8)]
                var lanes = SIMD8<Int32>(repeating: Int32(batch.first!))
                for (slot, id) in batch.enumerated() { lanes[slot] = Int32(id) }
                let squared = store.squaredDistances(from: query, to: lanes)
                for (slot, id) in batch.enumerated() {
                    let candidate = RankedCandidate(squaredDistance: squared[slot], id: id)
                    if best.map({ candidate < $0 }) ?? true { best = candidate }
                }
            }
            return best?.id
        }
    }
}
