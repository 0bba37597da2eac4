import Foundation

/// A public partition of the vocabulary into groups of K nearby words —
/// CusText's "conservative mapping" (Mechanisms.md §6.5), over the store's
/// frequency order instead of a private corpus's (§8.8):
///
///     for every eligible word w in id order, not yet in a group:
///         w and its K − 1 nearest eligible words not yet in a group
///         (exact distances, ties by lower id) form a new group
///
/// so groups are disjoint, the first ones are groups of frequent words, and
/// the last may be smaller than K (too few words left). Ineligible words
/// (CusText+'s stopwords) belong to no group.
///
/// Exact search, two ways: a word's `NeighborTable` row lists its nearest
/// words in exact order, so when the row holds K − 1 words still free, they
/// are the nearest free words; otherwise the free words are searched exactly
/// (a brute-force `ExactNeighborIndex` over the words free at its last
/// rebuild, rebuilt whenever 2,048 of them have been taken since).
public struct VocabularyPartition: Sendable, Equatable {
    public let groupSize: Int
    /// The group of every word, −1 for an ineligible word.
    let groupOf: [Int32]
    /// The members of group g, ascending: `members[starts[g]..<starts[g + 1]]`.
    let members: [Int32]
    let starts: [Int]

    public var groupCount: Int { starts.count - 1 }

    /// The members of word `id`'s group (nil for an ineligible word).
    public func group(of id: Int) -> ArraySlice<Int32>? {
        let group = Int(groupOf[id])
        return group < 0 ? nil : members[starts[group]..<starts[group + 1]]
    }

    public func sameGroup(_ a: Int, _ b: Int) -> Bool { groupOf[a] >= 0 && groupOf[a] == groupOf[b] }

    /// Partitions `index`'s vocabulary (see the type's documentation).
    ///
    /// - Parameters:
    ///   - table: the vocabulary's neighbour table (any width; nil: search every word).
    ///   - eligible: which words get a group (all when nil).
    ///   - progress: the fraction of words placed, ending with 1.
    public init(index: ExactNeighborIndex, table: NeighborTable?, groupSize: Int, eligible: [Bool]? = nil,
                progress: (Double) -> Void = { _ in }) {
        precondition(groupSize >= 1, "a group holds at least one word")
        let store = index.store, count = store.count
        let eligible = eligible ?? [Bool](repeating: true, count: count)
        var free = eligible
        var remaining = eligible.filter { $0 }.count
        let total = max(remaining, 1)
        var groupOf = [Int32](repeating: -1, count: count)
        var search = FreeWordSearch(store: store, free: free)
        var groups = 0
        for word in 0..<count where free[word] {
            let needed = min(groupSize, remaining) - 1
            var others: [Int] = []
            if let table {
                for neighbor in table.neighbors(of: word) where others.count < needed && free[Int(neighbor)] {
                    others.append(Int(neighbor))
                }
            }
            free[word] = false
            search.taken += 1
            if others.count < needed {
                others = search.nearestFree(to: word, count: needed, free: free)
            }
            for member in [word] + others {
                groupOf[member] = Int32(groups)
                if member != word { free[member] = false; search.taken += 1 }
            }
            remaining -= needed + 1
            groups += 1
            if groups % 256 == 0 { progress(Double(total - remaining) / Double(total)) }
        }
        progress(1)
        self.init(groupSize: groupSize, groupOf: groupOf, groups: groups)
    }

    /// Rebuilds the member lists from the group of every word.
    init(groupSize: Int, groupOf: [Int32], groups: Int) {
        var sizes = [Int](repeating: 0, count: groups)
        for group in groupOf where group >= 0 { sizes[Int(group)] += 1 }
        var starts = [0]
        for size in sizes { starts.append(starts.last! + size) }
        var members = [Int32](repeating: 0, count: starts.last!)
        var next = starts
        for (id, group) in groupOf.enumerated() where group >= 0 {
            members[next[Int(group)]] = Int32(id)
            next[Int(group)] += 1
        }
        self.groupSize = groupSize
        self.groupOf = groupOf
        self.members = members
        self.starts = starts
    }
}

/// Exact nearest-free-word search for the partition: an index over the
/// words that were free when it was last built, queried with room for the
/// ones taken since.
private struct FreeWordSearch {
    let store: EmbeddingStore
    /// Global ids of the index's words, ascending (so ties stay by lower id).
    private var ids: [Int] = []
    private var index: ExactNeighborIndex?
    /// Words taken since the index was built.
    var taken = 0
    /// How many taken words trigger a rebuild (a rebuild copies the free
    /// vectors: cheap next to many queries with a large k).
    static let rebuildAfter = 2048

    init(store: EmbeddingStore, free: [Bool]) {
        self.store = store
    }

    /// The `count` nearest words to `word` that are free in `free`.
    mutating func nearestFree(to word: Int, count: Int, free: [Bool]) -> [Int] {
        guard count > 0 else { return [] }
        // Rebuilt often enough that k stays small: a query with k = count +
        // taken costs a selection and an exact re-rank of k words.
        if index == nil || taken > Self.rebuildAfter { rebuild(free: free) }
        let query = store.vector(at: word)
        var k = count + taken
        while true {
            let found = index!.nearest(to: query, k: k).map { ids[$0.id] }.filter { free[$0] }
            if found.count >= count || k >= ids.count { return Array(found.prefix(count)) }
            k *= 2
        }
    }

    private mutating func rebuild(free: [Bool]) {
        ids = free.indices.filter { free[$0] }
        let dimension = store.dimension
        var vectors = [Float]()
        vectors.reserveCapacity(ids.count * dimension)
        store.vectors.withUnsafeBufferPointer { all in
            for id in ids { vectors.append(contentsOf: all[id * dimension..<(id + 1) * dimension]) }
        }
        let words = ids.map { store.words[$0] }
        // Brute force: no principal axes to compute at every rebuild.
        index = ids.isEmpty ? nil : ExactNeighborIndex(
            store: try! EmbeddingStore(words: words, vectors: vectors, dimension: dimension), screeningDepth: nil)
        taken = 0
    }
}

// MARK: - Cache

extension VocabularyPartition {
    /// The partition, loaded from `cache` when this user's dptext built it
    /// before for the same vocabulary, group size and eligible words, else
    /// built and saved there.
    ///
    /// Payload (`CacheFolder` signs it): the 8 bytes `DPTXPRT1`, V, K and
    /// the group count as little-endian UInt64, the SHA-256 (64 hex digits)
    /// of the words' list and of the eligible set, then V little-endian
    /// Int32 groups.
    static func cached(
        index: ExactNeighborIndex, table: NeighborTable?, groupSize: Int, eligible: [Bool]?,
        fingerprint: VocabularyFingerprint, cache: CacheFolder, progress: (Double) -> Void
    ) throws -> VocabularyPartition {
        let count = index.store.count
        let name = fileName(groupSize: groupSize, eligible: eligible, fingerprint: fingerprint)
        if let data = cache.load(name),
           let partition = decoded(data, count: count, groupSize: groupSize, eligible: eligible, fingerprint: fingerprint) {
            progress(1)
            return partition
        }
        let partition = VocabularyPartition(index: index, table: table, groupSize: groupSize, eligible: eligible,
                                            progress: progress)
        try cache.save(name, partition.payload(eligible: eligible, fingerprint: fingerprint))
        return partition
    }

    /// The cache file's name: group size and eligible set, and the vocabulary's fingerprint.
    static func fileName(groupSize: Int, eligible: [Bool]?, fingerprint: VocabularyFingerprint) -> String {
        fingerprint.fileName(kind: "vocabulary-partition-\(groupSize)-\(eligibleKey(eligible).prefix(16))", extension: "bin")
    }

    private static func eligibleKey(_ eligible: [Bool]?) -> String {
        VocabularyFingerprint.wordsSHA256((eligible ?? []).map { $0 ? "1" : "0" })
    }

    private static func header(count: Int, groupSize: Int, groups: Int, eligible: [Bool]?,
                               fingerprint: VocabularyFingerprint) -> Data {
        var data = Data("DPTXPRT1".utf8)
        for value in [count, groupSize, groups] { withUnsafeBytes(of: UInt64(value).littleEndian) { data.append(contentsOf: $0) } }
        data.append(contentsOf: Data((fingerprint.wordsSHA256 + eligibleKey(eligible)).utf8))
        return data
    }

    /// The cache file's content.
    func payload(eligible: [Bool]?, fingerprint: VocabularyFingerprint) -> Data {
        var data = Self.header(count: groupOf.count, groupSize: groupSize, groups: groupCount, eligible: eligible,
                               fingerprint: fingerprint)
        for group in groupOf { withUnsafeBytes(of: group.littleEndian) { data.append(contentsOf: $0) } }
        return data
    }

    /// The partition in `data`, nil when it has another shape.
    private static func decoded(_ data: Data, count: Int, groupSize: Int, eligible: [Bool]?,
                                fingerprint: VocabularyFingerprint) -> VocabularyPartition? {
        let headerSize = header(count: count, groupSize: groupSize, groups: 0, eligible: eligible,
                                fingerprint: fingerprint).count
        guard data.count == headerSize + 4 * count else { return nil }
        let groups = data.withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: 24, as: UInt64.self))) }
        guard data.prefix(headerSize) == header(count: count, groupSize: groupSize, groups: groups, eligible: eligible,
                                                fingerprint: fingerprint) else { return nil }
        let groupOf = data.withUnsafeBytes { raw in
            (0..<count).map { Int32(littleEndian: raw.loadUnaligned(fromByteOffset: headerSize + 4 * $0, as: Int32.self)) }
        }
        guard groupOf.allSatisfy({ $0 >= -1 && Int($0) < groups }) else { return nil }
        return VocabularyPartition(groupSize: groupSize, groupOf: groupOf, groups: groups)
    }
}

extension VocabularyResources {
    /// CusText's partition into groups of `groupSize`, over the words that are not in `excluded`.
    public func partition(groupSize: Int, excluded: Set<String> = []) throws -> VocabularyPartition {
        let eligible = excluded.isEmpty ? nil : vocabulary.words.map { !excluded.contains($0) }
        let key = "partition-\(groupSize)-" + VocabularyFingerprint.wordsSHA256(excluded.sorted())
        let table = try neighborTable(width: NeighborTable.standardWidth(wordCount: vocabulary.count))
        let progress = progress("grouping the vocabulary into groups of \(groupSize) (cached)")
        return try shared(key) {
            guard let fingerprint = try fingerprint(), let cache else {
                return VocabularyPartition(index: index, table: table, groupSize: groupSize, eligible: eligible,
                                           progress: progress)
            }
            let partition = try VocabularyPartition.cached(
                index: index, table: table, groupSize: groupSize, eligible: eligible, fingerprint: fingerprint,
                cache: cache, progress: progress)
            remember(VocabularyPartition.fileName(groupSize: groupSize, eligible: eligible, fingerprint: fingerprint)) {
                partition.payload(eligible: eligible, fingerprint: fingerprint)
            }
            return partition
        }
    }
}
