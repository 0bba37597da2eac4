/// One pass over the whole vocabulary in exact double precision.
enum VocabularyScan {
    /// Every word within `radius` of `center` (squared distance ≤ radius²), in
    /// id order.
    ///
    /// Eight words at a time (`squaredDistances`, equal to the one-word
    /// distance to the last bit): eight independent sums instead of one chain
    /// of dependent additions, which in 300 dimensions is what a word's
    /// distance waits on.
    static func words(within radius: Double, of center: [Double], in store: EmbeddingStore) -> [Int] {
        center.withUnsafeBufferPointer { center in
            var members: [Int] = []
            for first in stride(from: 0, to: store.count, by: 8) {
                let words = first..<min(store.count, first + 8)
                var ids = SIMD8<Int32>(repeating: Int32(first))
                for (slot, id) in words.enumerated() { ids[slot] = Int32(id) }
                let squared = store.squaredDistances(from: center, to: ids)
                for (slot, id) in words.enumerated() {
                    if squared[slot] <= radius * radius { members.append(id) }
                }
            }
            return members
        }
    }
}
