import Dispatch

/// Finds the vocabulary words nearest to a vector, by Euclidean distance.
///
/// Results are ordered by increasing distance, ties broken by lower word id.
/// An exact index returns the same ids, in the same order, as comparing the
/// query with every vocabulary vector (`EmbeddingStore.squaredDistance`).
/// An approximate index may miss true neighbours; it is only fit for
/// decoding noisy vectors (post-processing), never for candidate sets built
/// around an input word (Mechanisms.md §8.4).
public protocol NeighborIndex: Sendable {
    /// The vocabulary searched.
    var store: EmbeddingStore { get }
    /// Whether results always equal exhaustive search.
    var isExact: Bool { get }

    /// The `k` nearest words to each query.
    ///
    /// - Parameters:
    ///   - queries: row-major `n × D` matrix of finite values, one query per row.
    ///   - k: how many neighbours per query; clamped to `0…V`.
    /// - Returns: `n` lists of `min(k, V)` neighbours.
    func nearest(toEach queries: [Double], k: Int) -> [[Neighbor]]

    /// The `k` nearest words to each query among the words of its ball
    /// (`balls[i]` for query i; nil: all words), ranked the same way: as
    /// exact as the index (the default ranks each ball's words exactly).
    ///
    /// - Returns: `n` lists of `min(k, V)` neighbours for unrestricted
    ///   queries and of `min(k, words in the ball)` for the others.
    func nearest(toEach queries: [Double], k: Int, within balls: [NeighborBall?]) -> [[Neighbor]]

    /// Every word within `radius` of `center` (squared distance ≤ radius²,
    /// `EmbeddingStore.squaredDistance`), in id order: exact for every index
    /// (the default scans the vocabulary; an exact index may screen first).
    func words(within radius: Double, of center: [Double]) -> [Int]

    /// How the index searches, for run reports: a short name, its
    /// parameters, and what that means for the output.
    var searchDescription: SearchDescription { get }
}

/// What a run report says about the search that decoded noisy vectors.
public struct SearchDescription: Sendable, Equatable {
    /// `exact` (exhaustive search), `hnsw`, or `approximate`.
    public let name: String
    public let parameters: [String: Double]
    public let note: String

    public init(name: String, parameters: [String: Double] = [:], note: String) {
        (self.name, self.parameters, self.note) = (name, parameters, note)
    }
}

extension NeighborIndex {
    public func words(within radius: Double, of center: [Double]) -> [Int] {
        VocabularyScan.words(within: radius, of: center, in: store)
    }

    /// The unrestricted queries searched together; each ball's words found
    /// (`NeighborBall.words(by:)`) and ranked exactly.
    public func nearest(toEach queries: [Double], k: Int, within balls: [NeighborBall?]) -> [[Neighbor]] {
        let dimension = store.dimension
        precondition(balls.count * dimension == queries.count, "one ball (or nil) per query")
        let open = balls.indices.filter { balls[$0] == nil }
        var results = [[Neighbor]](repeating: [], count: balls.count)
        let found = nearest(toEach: open.flatMap { queries[$0 * dimension..<($0 + 1) * dimension] }, k: k)
        for (row, neighbors) in zip(open, found) { results[row] = neighbors }
        for (row, ball) in balls.enumerated() {
            guard let ball else { continue }
            let members = ball.words(by: self)
            let query = Array(queries[row * dimension..<(row + 1) * dimension])
            results[row] = ExactRanking.nearest(in: store, among: members, to: query, k: k)
        }
        return results
    }

    public var searchDescription: SearchDescription {
        isExact ? SearchDescription(name: "exact", note: "exhaustive search: every noisy vector becomes its nearest "
                                        + "vocabulary word")
            : SearchDescription(name: "approximate", note: "approximate nearest-neighbour decoding")
    }

    /// `nearest(toEach:k:)` done block by block: checks the queries' shape,
    /// clamps k to `0…V`, runs `search` (query rows, clamped k) on blocks of
    /// `blockSize` rows spread over all cores, and returns the lists in query order.
    func searchInBlocks(
        _ queries: [Double], k: Int, blockSize: Int, search: @Sendable (Range<Int>, Int) -> [[Neighbor]]
    ) -> [[Neighbor]] {
        let dimension = store.dimension
        precondition(queries.count % dimension == 0, "queries must be rows of D = \(dimension) values")
        let count = queries.count / dimension
        let k = min(max(k, 0), store.count)
        guard count > 0, k > 0 else { return Array(repeating: [], count: count) }

        var results = [[Neighbor]](repeating: [], count: count)
        let blocks = (count + blockSize - 1) / blockSize
        results.withUnsafeMutableBufferPointer { output in
            nonisolated(unsafe) let output = output
            DispatchQueue.concurrentPerform(iterations: blocks) { block in
                let rows = block * blockSize..<min(count, (block + 1) * blockSize)
                for (row, neighbors) in zip(rows, search(rows, k)) { output[row] = neighbors }
            }
        }
        return results
    }

    /// The `k` nearest words to one vector.
    public func nearest(to query: [Double], k: Int) -> [Neighbor] {
        precondition(query.count == store.dimension, "query has \(query.count) values, store has D = \(store.dimension)")
        return nearest(toEach: query, k: k)[0]
    }

    /// The `k` nearest words of each vocabulary word, the word itself first.
    ///
    /// The word is at rank 1 even when other words share its exact vector;
    /// the remaining `k − 1` are the nearest other words, in the usual order.
    public func neighbors(ofWords ids: [Int], k: Int) -> [[Neighbor]] {
        guard k > 0 else { return ids.map { _ in [] } }
        var queries = [Double]()
        queries.reserveCapacity(ids.count * store.dimension)
        for id in ids { queries.append(contentsOf: store.vector(at: id)) }
        let found = nearest(toEach: queries, k: k + 1)
        return zip(ids, found).map { id, list in
            [Neighbor(id: id, distance: 0)] + list.lazy.filter { $0.id != id }.prefix(k - 1)
        }
    }

    /// The `k` nearest words of one vocabulary word, the word itself first.
    public func neighbors(ofWord id: Int, k: Int) -> [Neighbor] {
        neighbors(ofWords: [id], k: k)[0]
    }
}
