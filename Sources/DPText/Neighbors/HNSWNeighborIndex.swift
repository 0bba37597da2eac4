import CHNSW

/// Approximate k-nearest-neighbour search with a hierarchical navigable
/// small-world graph (HNSW; Malkov & Yashunin, 2018), built and searched by
/// hnswlib (Debian `libhnswlib-dev`) through the `CHNSW` shim.
///
/// Algorithm: every vocabulary vector is a node of a layered proximity graph.
/// A node's top layer is drawn from a geometric distribution, so each layer
/// up holds exponentially fewer nodes; on every layer a node keeps up to `M`
/// links (`2M` on the bottom layer) to near nodes chosen by a diversity
/// heuristic, found by a beam search of width `efConstruction` while it is
/// inserted. A query descends greedily from the top layer's entry point and
/// then runs a best-first beam search of width `ef` on the bottom layer.
///
/// What is approximate: the beam search can stop in a region of the graph
/// that does not contain a true nearest neighbour, so a result can miss
/// words that exhaustive search would return (recall below 1), and nothing
/// bounds how far off a missed neighbour is. Graph distances are computed in
/// single precision. What is exact: every returned word is a real vocabulary
/// word and its `Neighbor.distance` is the exact double-precision distance
/// (`EmbeddingStore.squaredDistance`); the final beam of `max(ef, k)`
/// candidates is re-ranked by that distance, ascending, ties by lower id, and
/// the first `k` are returned. (Should the beam hold fewer than `k` distinct
/// words, which a disconnected graph can cause, that query falls back to
/// exhaustive search, so every list has `min(k, V)` entries.)
///
/// Recall falls as queries move away from the vocabulary, where many words
/// are almost equally far and the greedy descent more often ends in the
/// wrong region. Measured with the default parameters on the 20,000 most
/// frequent GloVe 6B 50d words, for word vectors plus N(0, σ²) per
/// coordinate, recall@1 is about 1.00 at σ = 0.5, 0.96 at σ = 1 and 0.90
/// at σ = 2; `efSearch` = 256 raises the last to about 0.98, at roughly
/// four times the search cost. Raise `efSearch` for heavy noise.
///
/// Fit only for decoding noisy vectors (post-processing of a mechanism's
/// output, which cannot weaken its privacy guarantee). It must never build
/// candidate sets around an input word: which words it misses depends on the
/// input, which would break the mechanisms' privacy analysis (Mechanisms.md
/// §8.4). Use `ExactNeighborIndex` there.
///
/// Reproducibility: with `insertionThreads == 1` (the default) the graph is
/// a deterministic function of the store (vectors in id order), `M`,
/// `efConstruction` and `randomSeed`, so a rebuild gives the same graph and
/// the same results. With more threads, insertion order depends on thread
/// scheduling and two builds may give different graphs (and slightly
/// different results); `save(to:)` / `load(from:store:)` reproduce a graph
/// exactly either way.
///
/// Queries are searched in parallel blocks; hnswlib allows concurrent
/// searches of one graph, and nothing modifies the graph once it is built.
public struct HNSWNeighborIndex: NeighborIndex {
    /// Construction and search parameters.
    public struct Parameters: Sendable, Equatable {
        /// Links per node and layer (`2M` on the bottom layer). Larger gives
        /// higher recall, a slower build and a bigger graph. At least 2.
        public var m: Int
        /// Beam width while inserting. Larger gives a better graph and a
        /// slower build. At least 1 (hnswlib uses at least `M`).
        public var efConstruction: Int
        /// Beam width while searching; a search for `k` neighbours uses
        /// `max(efSearch, k)`. Larger gives higher recall and slower queries.
        public var efSearch: Int
        /// Seeds hnswlib's draw of each node's top layer.
        public var randomSeed: UInt64
        /// Threads inserting concurrently; 1 makes the build reproducible
        /// (see the type's documentation).
        public var insertionThreads: Int

        public init(m: Int = 16, efConstruction: Int = 200, efSearch: Int = 64,
                    randomSeed: UInt64 = 100, insertionThreads: Int = 1) {
            self.m = m
            self.efConstruction = efConstruction
            self.efSearch = efSearch
            self.randomSeed = randomSeed
            self.insertionThreads = insertionThreads
        }
    }

    public let store: EmbeddingStore
    public var isExact: Bool { false }
    /// The search beam width (each search uses `max(efSearch, k)`).
    public let efSearch: Int
    /// Links per node and layer of the graph.
    public var m: Int { graph.m }
    /// The beam width the graph was built with.
    public var efConstruction: Int { graph.efConstruction }

    private let graph: HNSWGraph

    static let queryBlock = 64

    /// Builds the graph over every word of `store`, inserted in id order.
    ///
    /// - Throws: `HNSWIndexError.buildFailed` when hnswlib fails (out of memory).
    public init(store: EmbeddingStore, parameters: Parameters = Parameters()) throws {
        precondition(parameters.m >= 2, "M must be at least 2")
        precondition(parameters.efConstruction >= 1, "efConstruction must be at least 1")
        precondition(parameters.efSearch >= 1, "efSearch must be at least 1")
        precondition(parameters.insertionThreads >= 1, "insertionThreads must be at least 1")
        let graph = try HNSWGraph.call(HNSWIndexError.buildFailed) { error, capacity in
            chnsw_create(store.dimension, store.count, parameters.m, parameters.efConstruction,
                         parameters.randomSeed, error, capacity)
        }
        let status = store.vectors.withUnsafeBufferPointer { vectors in
            HNSWGraph.withErrorBuffer { error, capacity in
                chnsw_add(graph.handle, vectors.baseAddress, store.count, 0, parameters.insertionThreads,
                          error, capacity)
            }
        }
        if status.code != 0 { throw HNSWIndexError.buildFailed(reason: status.message) }
        // The beam width is passed with every search (as its k), so the graph's own minimum stays at 1.
        chnsw_set_ef(graph.handle, 1)
        self.init(store: store, graph: graph, efSearch: parameters.efSearch)
    }

    private init(store: EmbeddingStore, graph: HNSWGraph, efSearch: Int) {
        self.store = store
        self.graph = graph
        self.efSearch = efSearch
    }

    public func nearest(toEach queries: [Double], k: Int) -> [[Neighbor]] {
        searchInBlocks(queries, k: k, blockSize: Self.queryBlock) { rows, k in search(queries: queries, rows: rows, k: k) }
    }

    /// HNSW search for the query rows `rows`, re-ranked exactly.
    private func search(queries: [Double], rows: Range<Int>, k: Int) -> [[Neighbor]] {
        let dimension = store.dimension
        let width = min(max(k, efSearch), store.count)
        let block = Array(queries[rows.lowerBound * dimension..<rows.upperBound * dimension])
        let block32 = block.map(Float.init)
        var labels = [Int64](repeating: -1, count: rows.count * width)
        var distances = [Float](repeating: 0, count: rows.count * width)
        var found = [Int](repeating: 0, count: rows.count)
        let status = HNSWGraph.withErrorBuffer { error, capacity in
            chnsw_search(graph.handle, block32, rows.count, width, &labels, &distances, &found, error, capacity)
        }
        // Only allocation can fail here; there is no sensible way to go on.
        precondition(status.code == 0, "HNSW search failed: \(status.message)")

        return block.withUnsafeBufferPointer { all in
            (0..<rows.count).map { row in
                let query = UnsafeBufferPointer(rebasing: all[row * dimension..<(row + 1) * dimension])
                var ids = Set<Int>()
                for label in labels[row * width..<row * width + found[row]] {
                    let id = Int(label)
                    precondition(0 <= id && id < store.count, "HNSW returned label \(id) outside the vocabulary")
                    ids.insert(id)
                }
                // Too few words reached: complete the list exhaustively.
                let candidates = ids.count >= k ? Array(ids) : Array(0..<store.count)
                return ExactRanking.nearest(in: store, among: candidates, to: query, k: k)
            }
        }
    }

    /// Writes the graph to `path` (hnswlib's binary format), replacing any
    /// file there. The vectors are stored too, but not the words: load it
    /// with the same store.
    ///
    /// - Throws: `HNSWIndexError.saveFailed` naming `path`.
    public func save(to path: String) throws {
        let status = HNSWGraph.withErrorBuffer { error, capacity in
            chnsw_save(graph.handle, path, error, capacity)
        }
        if status.code != 0 { throw HNSWIndexError.saveFailed(path: path, reason: status.message) }
    }

    /// Reads a graph written by `save(to:)` for `store`.
    ///
    /// The file must index exactly `store.count` vectors of dimension
    /// `store.dimension`, labelled by word id, each bit-for-bit equal to the
    /// store's vector of that word.
    ///
    /// - Parameter efSearch: the search beam width (not stored in the file).
    /// - Throws: `HNSWIndexError.storeMismatch` when the file was built for
    ///   another store; `HNSWIndexError.loadFailed` when it cannot be read or
    ///   is not a valid index. Both name `path`.
    public static func load(from path: String, store: EmbeddingStore, efSearch: Int = 64) throws -> HNSWNeighborIndex {
        precondition(efSearch >= 1, "efSearch must be at least 1")
        var handle: OpaquePointer?
        let loaded = HNSWGraph.withErrorBuffer { error, capacity in
            chnsw_load(path, store.dimension, store.count, &handle, error, capacity)
        }
        guard loaded.code == CHNSW_OK, let handle else {
            throw loaded.code == CHNSW_MISMATCH
                ? HNSWIndexError.storeMismatch(path: path, reason: loaded.message)
                : HNSWIndexError.loadFailed(path: path, reason: loaded.message)
        }
        let graph = HNSWGraph(handle: handle)
        let verified = store.vectors.withUnsafeBufferPointer { vectors in
            HNSWGraph.withErrorBuffer { error, capacity in
                chnsw_verify(graph.handle, vectors.baseAddress, store.count, error, capacity)
            }
        }
        switch verified.code {
        case CHNSW_OK: break
        case CHNSW_MISMATCH: throw HNSWIndexError.storeMismatch(path: path, reason: verified.message)
        default: throw HNSWIndexError.loadFailed(path: path, reason: verified.message)
        }
        chnsw_set_ef(graph.handle, 1)
        return HNSWNeighborIndex(store: store, graph: graph, efSearch: efSearch)
    }

    public var searchDescription: SearchDescription {
        SearchDescription(
            name: "hnsw", parameters: ["m": Double(m), "ef_construction": Double(efConstruction), "ef_search": Double(efSearch)],
            note: "approximate nearest-neighbour decoding (hnswlib): post-processing, so the guarantee is unchanged, but "
                + "outputs differ from exact decoding and deniability statistics (N_w, S_w) measured with exact search do "
                + "not apply exactly")
    }

    /// The same graph, searched with beam width `width` (≥ 1).
    public func searching(width: Int) -> HNSWNeighborIndex {
        precondition(width >= 1, "the beam width must be at least 1")
        return HNSWNeighborIndex(store: store, graph: graph, efSearch: width)
    }
}

/// Why an HNSW index could not be built, saved or loaded.
public enum HNSWIndexError: Error, Equatable, CustomStringConvertible {
    case buildFailed(reason: String)
    case saveFailed(path: String, reason: String)
    case loadFailed(path: String, reason: String)
    /// The file is an index of other vectors than the store's.
    case storeMismatch(path: String, reason: String)

    public var description: String {
        switch self {
        case .buildFailed(let reason):
            return "cannot build the HNSW index (\(reason))."
        case .saveFailed(let path, let reason):
            return "\(path): cannot write the HNSW index (\(reason)). Check the folder exists and is writable."
        case .loadFailed(let path, let reason):
            return "\(path): not a readable HNSW index (\(reason)). Rebuild it and save it again."
        case .storeMismatch(let path, let reason):
            return "\(path): the HNSW index was built for another embedding store (\(reason)). Rebuild it for this store."
        }
    }
}

/// Owns one hnswlib graph (a `chnsw_index` handle) and frees it when the
/// last `HNSWNeighborIndex` sharing it goes away.
///
/// `@unchecked Sendable` is safe because the graph is mutated only inside
/// `HNSWNeighborIndex.init` and `load` (insertion, `chnsw_set_ef`), before the
/// box is stored and can be shared. Afterwards it is only read: searches,
/// which hnswlib allows to run concurrently (each takes its own visited-list
/// from a mutex-protected pool and reads `ef` without writing it), and
/// saving, verification and getters, which only read.
final class HNSWGraph: @unchecked Sendable {
    let handle: OpaquePointer

    init(handle: OpaquePointer) { self.handle = handle }

    deinit { chnsw_free(handle) }

    var m: Int { chnsw_m(handle) }
    var efConstruction: Int { chnsw_ef_construction(handle) }

    static let errorCapacity = 512

    /// Runs a shim call with a message buffer; returns its status and message.
    static func withErrorBuffer(
        _ body: (UnsafeMutablePointer<CChar>, Int) -> Int32
    ) -> (code: Int32, message: String) {
        var buffer = [CChar](repeating: 0, count: errorCapacity)
        let code = buffer.withUnsafeMutableBufferPointer { body($0.baseAddress!, errorCapacity) }
        let message = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        return (code, message)
    }

    /// Runs a shim call that returns a new handle, or throws `failure(message)`.
    static func call(
        _ failure: (String) -> HNSWIndexError,
        _ body: (UnsafeMutablePointer<CChar>, Int) -> OpaquePointer?
    ) throws -> HNSWGraph {
        var handle: OpaquePointer?
        let status = withErrorBuffer { error, capacity in
            handle = body(error, capacity)
            return handle == nil ? 1 : 0
        }
        guard let handle else { throw failure(status.message) }
        return HNSWGraph(handle: handle)
    }
}
