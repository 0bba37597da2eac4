import Dispatch

/// The exact distance from each of the first `words` word ids to each of
/// its neighbour-table neighbours: what mechanisms that weigh a word's
/// neighbours read per token instead of recomputing it. Word ids are in
/// frequency order for GloVe-like stores, so the first 2¹⁶ ids carry nearly
/// every token of real text; other words recompute on the spot.
///
/// Distances are `EmbeddingStore.squaredDistance(between:and:)` square
/// roots, the same values to the last bit as computing them per token.
/// Memory: `8·words·width` bytes (23 MB for 2¹⁶ words, width 44).
public struct NeighborDistances: Sendable {
    public let table: NeighborTable
    /// How many first word ids are covered.
    public let words: Int
    private let distances: [Double]

    public init(table: NeighborTable, store: EmbeddingStore, words: Int = 1 << 16) {
        let width = table.width
        let covered = min(store.count, max(0, words))
        var distances = [Double](repeating: 0, count: covered * width)
        let block = 4096
        distances.withUnsafeMutableBufferPointer { output in
            nonisolated(unsafe) let output = output
            DispatchQueue.concurrentPerform(iterations: (covered + block - 1) / block) { index in
                for word in index * block..<min(covered, (index + 1) * block) {
                    for (rank, neighbor) in table.neighbors(of: word).enumerated() {
                        output[word * width + rank] = store.squaredDistance(between: word, and: Int(neighbor)).squareRoot()
                    }
                }
            }
        }
        self.table = table
        self.words = covered
        self.distances = distances
    }

    /// The distances of word `id`'s neighbours, in table order, if `id` is covered.
    @inline(__always)
    public func distances(of id: Int) -> ArraySlice<Double>? {
        guard id < words else { return nil }
        return distances[id * table.width..<(id + 1) * table.width]
    }
}

extension VocabularyResources {
    /// The neighbour table of `width` (among `targets`, when given) with the
    /// exact distances of the first `words` ids, shared.
    public func neighborDistances(width: Int, targets: Range<Int>? = nil, words: Int = 1 << 16) throws -> NeighborDistances {
        let table = try neighborTable(width: width, targets: targets)
        return try shared("neighbor-distances-\(width)-\(targets.map { "\($0)" } ?? "all")-\(words)") {
            NeighborDistances(table: table, store: vocabulary, words: words)
        }
    }
}
