/// The vocabulary in one order where words next to each other are near in
/// the embedding space: 1-Diffractor's public word list (Mechanisms.md §12).
///
/// Greedy nearest-neighbour chaining: start at `start`; from the current
/// word, go to its nearest word not yet listed among its `width` nearest
/// other words (the neighbour table's row: exact distances, ties by lower
/// id); when all of those are listed already, jump to the unlisted word of
/// lowest id. Every word appears exactly once.
///
/// The list depends only on public data (the vectors, `start`, the table's
/// width), so it is public: it is derived from the signed neighbour table
/// at start-up (O(V·width), milliseconds) rather than stored.
struct ChainedWordList: Sendable {
    /// Word ids in list order.
    let words: [Int32]
    /// `positions[id]`: where word `id` is in the list.
    let positions: [Int32]

    init(start: Int, table: NeighborTable) {
        let count = table.wordCount
        precondition(count >= 1 && (0..<count).contains(start))
        var words = [Int32](), positions = [Int32](repeating: -1, count: count)
        words.reserveCapacity(count)
        var current = start, lowestUnlisted = 0
        while true {
            positions[current] = Int32(words.count)
            words.append(Int32(current))
            if words.count == count { break }
            if let next = table.neighbors(of: current).first(where: { positions[Int($0)] < 0 }) {
                current = Int(next)
            } else {
                while positions[lowestUnlisted] >= 0 { lowestUnlisted += 1 }
                current = lowestUnlisted
            }
        }
        (self.words, self.positions) = (words, positions)
    }

    var count: Int { words.count }

    /// Where word `id` is.
    func position(of id: Int) -> Int { Int(positions[id]) }

    /// The word at `position`.
    func word(at position: Int) -> Int { Int(words[position]) }
}
