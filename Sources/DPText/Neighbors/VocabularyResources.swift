import Foundation
import Synchronization

/// What a run computes from the public vocabulary alone — the exact index,
/// the extent, neighbour tables, the HNSW graph, and each mechanism's
/// per-word tables — built once and shared: by every mechanism of a run, by
/// every ε an evaluation or benchmark tries, and by every thread.
///
/// When the vocabulary came from a store file (`storePath`), the expensive
/// parts are also cached on disk in `cache`, keyed by the file's SHA-256 and
/// the word list (`VocabularyFingerprint`) and signed with this user's key
/// (`CacheFolder`), so the next process loads them instead of computing
/// them — and never uses a file someone else wrote. Everything here depends on the
/// public vocabulary only, never on text, so sharing it across runs,
/// records and threads is free of privacy cost.
public final class VocabularyResources: Sendable {
    /// The mechanism's vocabulary (for text: the store's single-word entries).
    public let vocabulary: EmbeddingStore
    /// Exact search over `vocabulary`.
    public let index: ExactNeighborIndex
    /// The file the vocabulary came from, for disk caches; nil keeps everything in memory.
    public let storePath: String?
    /// Where disk caches go (nil: none).
    public let cache: CacheFolder?
    /// Told what is being built and how far it got (a label and a fraction, ending with 1).
    public let progress: @Sendable (_ label: String, _ fraction: Double) -> Void
    private let built = Mutex<[String: any Sendable]>([:])
    /// The cache file of every resource built or loaded so far, by name, and how to write it.
    private let cacheFiles = Mutex<[String: @Sendable () throws -> Data]>([:])

    /// - Parameters:
    ///   - index: exact search over `vocabulary` (built when nil).
    ///   - storePath, cache: both given, results are cached on disk.
    ///   - progress: called while something slow is built.
    public init(vocabulary: EmbeddingStore, index: ExactNeighborIndex? = nil, storePath: String? = nil,
                cache: CacheFolder? = nil,
                progress: @escaping @Sendable (_ label: String, _ fraction: Double) -> Void = { _, _ in }) {
        self.vocabulary = vocabulary
        self.index = index ?? ExactNeighborIndex(store: vocabulary)
        self.storePath = storePath
        self.cache = storePath == nil ? nil : cache
        self.progress = progress
    }

    /// `progress` for one resource.
    public func progress(_ label: String) -> (Double) -> Void {
        let progress = self.progress
        return { progress(label, $0) }
    }

    /// The value stored under `key`, built by `build` on first use and
    /// shared from then on; a failed build is not kept. Builds run outside
    /// the lock (a build may ask for other resources); should two threads
    /// build the same key at once, the first result stored wins.
    public func shared<T: Sendable>(_ key: String, build: () throws -> T) throws -> T {
        if let value = built.withLock({ $0[key] as? T }) { return value }
        let value = try build()
        return built.withLock { built in
            if let stored = built[key] as? T { return stored }
            built[key] = value
            return value
        }
    }

    /// Notes that `name` holds a resource this run uses, written by `payload` (for `export`).
    func remember(_ name: String, payload: @escaping @Sendable () throws -> Data) {
        cacheFiles.withLock { $0[name] = payload }
    }

    /// Writes the cache file of every resource built or loaded so far into
    /// `destination` (signed with its key): what another machine — a Spark
    /// executor — needs to run the same mechanisms without building anything.
    /// Returns the names written.
    @discardableResult
    public func export(to destination: CacheFolder) throws -> [String] {
        let files = cacheFiles.withLock { $0 }
        for name in files.keys.sorted() { try destination.save(name, try files[name]!()) }
        return files.keys.sorted()
    }

    /// The store file's fingerprint (hashing the file once), when disk caching is on.
    public func fingerprint() throws -> VocabularyFingerprint? {
        guard let storePath, cache != nil else { return nil }
        return try shared("fingerprint") { try VocabularyFingerprint(store: vocabulary, storePath: storePath) }
    }

    /// Δ_min and Δ_max of the vocabulary (`VocabularyExtent`).
    public func extent() throws -> VocabularyExtent {
        let progress = progress("computing the vocabulary's smallest and largest distances (cached)")
        return try shared("extent") {
            guard let fingerprint = try fingerprint(), let cache else {
                return try VocabularyExtent(store: vocabulary, progress: progress)
            }
            let extent = try VocabularyExtent.cached(for: vocabulary, fingerprint: fingerprint, cache: cache,
                                                     progress: progress)
            remember(VocabularyExtent.fileName(fingerprint: fingerprint)) { try extent.cachePayload() }
            return extent
        }
    }

    /// Every word's `width` nearest other words (`NeighborTable`) — among
    /// `targets` only when given — by exact search.
    public func neighborTable(width: Int, targets: Range<Int>? = nil) throws -> NeighborTable {
        let targets = targets == 0..<vocabulary.count ? nil : targets
        let among = targets.map { " among words \($0.lowerBound)–\($0.upperBound - 1)" } ?? ""
        let progress = progress("finding every word's \(width) nearest neighbours\(among) (cached)")
        return try shared("neighbor-table-\(width)" + (targets.map { "-\($0)" } ?? "")) {
            guard let fingerprint = try fingerprint(), let cache else {
                return NeighborTable(index: index, width: width, targets: targets, progress: progress)
            }
            let table = try NeighborTable.cached(index: index, width: width, targets: targets,
                                                 fingerprint: fingerprint, cache: cache, progress: progress)
            remember(table: table, targets: targets, fingerprint: fingerprint)
            return table
        }
    }

    private func remember(table: NeighborTable, targets: Range<Int>?, fingerprint: VocabularyFingerprint) {
        let header = NeighborTable.header(wordCount: fingerprint.wordCount, width: table.width,
                                          wordsSHA256: fingerprint.wordsSHA256)
        remember(NeighborTable.fileName(width: table.width, targets: targets, fingerprint: fingerprint)) {
            table.payload(header: header)
        }
    }

    /// The neighbour table of `width` if it is in memory or in the disk
    /// cache; never builds one (for optional speed-ups).
    public func neighborTableIfAvailable(width: Int) -> NeighborTable? {
        if let table = built.withLock({ $0["neighbor-table-\(width)"] as? NeighborTable }) { return table }
        guard let cache, storePath != nil else { return nil }
        let prefix = "neighbor-table-\(width)-"
        // Look before hashing the store file: most runs have no table.
        guard cache.names().contains(where: { $0.hasPrefix(prefix) && $0.contains("-\(vocabulary.count)-") }),
              let fingerprint = try? fingerprint(),
              let table = NeighborTable.cachedIfPresent(width: width, fingerprint: fingerprint, cache: cache)
        else { return nil }
        built.withLock { $0["neighbor-table-\(width)"] = table }
        remember(table: table, targets: nil, fingerprint: fingerprint)
        return table
    }

    /// An HNSW graph over the vocabulary searching with `parameters.efSearch`.
    public func hnsw(parameters: HNSWNeighborIndex.Parameters) throws -> HNSWNeighborIndex {
        let graph = try shared("hnsw-\(parameters.m)-\(parameters.efConstruction)-\(parameters.randomSeed)") {
            guard let fingerprint = try fingerprint(), let cache else {
                return try HNSWNeighborIndex(store: vocabulary, parameters: parameters)
            }
            let graph = try HNSWNeighborIndex.cached(store: vocabulary, fingerprint: fingerprint,
                                                     parameters: parameters, cache: cache)
            remember(HNSWNeighborIndex.fileName(fingerprint: fingerprint, parameters: parameters)) {
                try graph.cachePayload()
            }
            return graph
        }
        return graph.searching(width: parameters.efSearch)
    }

    /// The fixed public vector an out-of-vocabulary word is privatized as (`--oov unk`).
    public var outOfVocabularyStandIn: [Double] {
        (try? shared("oov-stand-in") { vocabulary.outOfVocabularyStandIn }) ?? vocabulary.outOfVocabularyStandIn
    }
}
