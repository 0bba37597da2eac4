import Foundation

/// The `width` nearest other words of every vocabulary word, found by exact
/// search: row `id` lists ids by increasing exact distance from word `id`,
/// ties by lower id, the word itself left out (it is always nearest).
///
/// What depends only on the word is computed once: mechanisms whose
/// candidates are a word's nearest neighbours (truncated Gumbel) read them
/// here instead of searching per token. Building costs one exact k-NN query
/// per word (about 150 s for the 368,770 single-word GloVe entries on two
/// cores), so `cached` keeps the table on disk; memory is `V·width` 32-bit
/// ids (71 MB for V = 368,770, width 48).
public struct NeighborTable: Sendable {
    /// Neighbours listed per word.
    public let width: Int
    /// Row-major `V × width` word ids.
    private let ids: [Int32]

    /// Builds the table with `index`, which must be exact (Mechanisms.md §8.4).
    ///
    /// - Parameters:
    ///   - targets: when given, every row lists the nearest other words
    ///     among these ids only (a mechanism whose outputs are a part of the
    ///     vocabulary, such as SanText+'s sensitive words), searched exactly over them.
    ///   - progress: called with the fraction done, ending with 1.
    public init(index: some NeighborIndex, width: Int, targets: Range<Int>? = nil, progress: (Double) -> Void = { _ in }) {
        precondition(index.isExact, "a neighbour table needs exact search")
        let store = index.store, count = store.count
        let targets = targets ?? 0..<count
        let width = max(0, min(width, targets.count - 1))
        let search: any NeighborIndex = targets == 0..<count ? index : Self.index(of: store, restrictedTo: targets)
        var ids = [Int32]()
        ids.reserveCapacity(count * width)
        let block = 4096
        for start in stride(from: 0, to: count, by: block) {
            let words = start..<min(count, start + block)
            let queries = words.flatMap { store.vector(at: $0) }
            for (word, list) in zip(words, search.nearest(toEach: queries, k: width + 1)) {
                // The word itself is nearest when it is a target (rank 1 even among equal vectors).
                let others = list.lazy.map { $0.id + targets.lowerBound }.filter { $0 != word }
                ids.append(contentsOf: others.prefix(width).map { Int32($0) })
            }
            progress(Double(words.upperBound) / Double(count))
        }
        self.init(width: width, ids: ids)
    }

    /// An exact index over the words `targets` of `store` (ids relative to `targets.lowerBound`).
    private static func index(of store: EmbeddingStore, restrictedTo targets: Range<Int>) -> ExactNeighborIndex {
        let dimension = store.dimension
        let subset = try! EmbeddingStore(
            words: Array(store.words[targets]), vectors: Array(store.vectors[targets.lowerBound * dimension..<targets.upperBound * dimension]),
            dimension: dimension)
        return ExactNeighborIndex(store: subset)
    }

    private init(width: Int, ids: [Int32]) {
        self.width = width
        self.ids = ids
    }

    /// The neighbours of word `id`, nearest first (`width` of them).
    public func neighbors(of id: Int) -> ArraySlice<Int32> {
        ids[id * width..<(id + 1) * width]
    }

    /// The number of words.
    public var wordCount: Int { width == 0 ? 0 : ids.count / width }
}

// MARK: - Width

extension NeighborTable {
    /// The width that holds the K − 1 nearest other words for all but 10⁻¹²
    /// of draws K ~ Poisson(μ) truncated to K ≤ V − 1 (a candidate set of K
    /// words is the word and its K − 1 nearest): truncated Gumbel's lists.
    public static func width(coveringPoissonMean mean: Double, wordCount: Int) -> Int {
        guard wordCount >= 2, mean.isFinite, mean > 0 else { return 0 }
        return max(1, TruncatedPoisson(mean: mean, maximum: wordCount - 1).bound(tailBelow: 1e-12)) - 1
    }

    /// The width of the table every mechanism that reads neighbour lists
    /// uses by default: truncated Gumbel's at its default μ = ln(V − 1)
    /// (44 for 368,770 words, 40 for 48,398), so one cached table serves all.
    public static func standardWidth(wordCount: Int) -> Int {
        width(coveringPoissonMean: log(Double(max(wordCount, 3) - 1)), wordCount: wordCount)
    }
}

// MARK: - Cache

extension NeighborTable {
    /// The table of `index`'s vocabulary, loaded from `cache` when this
    /// user's dptext built it before (same fingerprint and width), else
    /// built and saved there.
    ///
    /// Payload (`CacheFolder` signs it): the 8 bytes `DPTXNBT1`, V and width
    /// as little-endian UInt64, the words' SHA-256 (64 ASCII hex digits),
    /// then `V·width` little-endian Int32 ids. A file that is missing, not
    /// signed by this user, or of another shape is rebuilt.
    public static func cached(
        index: some NeighborIndex, width: Int, targets: Range<Int>? = nil, fingerprint: VocabularyFingerprint,
        cache: CacheFolder, progress: (Double) -> Void = { _ in }
    ) throws -> NeighborTable {
        if let table = cachedIfPresent(width: width, targets: targets, fingerprint: fingerprint, cache: cache) {
            progress(1)
            return table
        }
        let table = NeighborTable(index: index, width: width, targets: targets, progress: progress)
        try cache.save(fileName(width: table.width, targets: targets, fingerprint: fingerprint), table.payload(
            header: header(wordCount: index.store.count, width: table.width, wordsSHA256: fingerprint.wordsSHA256)))
        return table
    }

    /// The table saved by `cached` for this vocabulary and width, if there
    /// is a valid one; never builds.
    public static func cachedIfPresent(
        width: Int, targets: Range<Int>? = nil, fingerprint: VocabularyFingerprint, cache: CacheFolder
    ) -> NeighborTable? {
        let count = fingerprint.wordCount
        let width = max(0, min(width, (targets?.count ?? count) - 1))
        let header = Self.header(wordCount: count, width: width, wordsSHA256: fingerprint.wordsSHA256)
        guard let payload = cache.load(fileName(width: width, targets: targets, fingerprint: fingerprint)),
              let ids = ids(in: payload, header: header, wordCount: count, width: width)
        else { return nil }
        return NeighborTable(width: width, ids: ids)
    }

    /// The cache file's name: its kind, the vocabulary's fingerprint and the target restriction.
    static func fileName(width: Int, targets: Range<Int>?, fingerprint: VocabularyFingerprint) -> String {
        let restriction = targets.map { "-among-\($0.lowerBound)-\($0.upperBound)" } ?? ""
        return fingerprint.fileName(kind: "neighbor-table-\(width)\(restriction)", extension: "bin")
    }

    /// The header followed by the ids, little-endian.
    func payload(header: Data) -> Data {
        var data = header
        data.reserveCapacity(header.count + ids.count * 4)
        ids.withUnsafeBufferPointer { ids in
            for id in ids { withUnsafeBytes(of: id.littleEndian) { data.append(contentsOf: $0) } }
        }
        return data
    }

    /// The `V·width` ids after `header` in `payload`; nil when it does not
    /// have that shape. (A signed file has the shape it was written with;
    /// the checks catch a change of format.)
    private static func ids(in payload: Data, header: Data, wordCount: Int, width: Int) -> [Int32]? {
        let count = wordCount * width
        guard payload.count == header.count + count * 4, payload.prefix(header.count) == header else { return nil }
        let ids = payload.withUnsafeBytes { raw in
            [Int32](unsafeUninitializedCapacity: count) { buffer, initialized in
                for index in 0..<count {
                    buffer[index] = Int32(littleEndian: raw.loadUnaligned(fromByteOffset: header.count + 4 * index,
                                                                          as: Int32.self))
                }
                initialized = count
            }
        }
        for (index, id) in ids.enumerated() where id < 0 || Int(id) >= wordCount || Int(id) == index / width {
            return nil
        }
        return ids
    }

    static func header(wordCount: Int, width: Int, wordsSHA256: String) -> Data {
        var data = Data("DPTXNBT1".utf8)
        withUnsafeBytes(of: UInt64(wordCount).littleEndian) { data.append(contentsOf: $0) }
        withUnsafeBytes(of: UInt64(width).littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: Data(wordsSHA256.utf8))
        return data
    }
}
