import Foundation

/// Checks a cache folder against the store it was computed from: every
/// file made for this vocabulary is computed again from the store and
/// compared byte for byte (`dptext cache verify`).
///
/// A signature (`CacheFolder`) proves who wrote a file, not that what was
/// written was right; recomputing does. Files of other stores or
/// vocabularies are listed, not checked (their store is not open).
public enum CacheVerification {
    /// What was found about one file.
    public enum Verdict: Equatable, Sendable {
        /// Signed by this user and equal to what the store gives now.
        case matches
        /// Signed by this user but different from what the store gives (the
        /// clause says how); dptext would use it, so it should be deleted.
        case differs(String)
        /// Not signed by this user, or damaged: dptext never uses it (it rebuilds it).
        case rejected(String)
        /// Signed by this user; checked as far as the clause says, not recomputed.
        case signedOnly(String)
        /// Made from another store file or another vocabulary of it (`--vocab-limit`).
        case otherVocabulary
        /// Not a file dptext writes.
        case unknown

        /// Whether the file calls for action: one that dptext would use although it is wrong.
        public var isProblem: Bool {
            if case .differs = self { return true }
            return false
        }
    }

    public struct Finding: Equatable, Sendable {
        public let name: String
        public let verdict: Verdict
    }

    /// Every file of `cache`, judged against `resources`' vocabulary read from `storePath`.
    ///
    /// - Parameters:
    ///   - excludedWordSets: the word sets a partition may leave out (CusText+
    ///     leaves out its stopwords), so that their partitions can be recomputed.
    ///   - progress: told each file's name before it is checked.
    public static func verify(
        cache: CacheFolder, resources: VocabularyResources, storePath: String, excludedWordSets: [Set<String>] = [],
        progress: (String) -> Void = { _ in }
    ) throws -> [Finding] {
        let vocabulary = resources.vocabulary
        let fingerprint = try VocabularyFingerprint(store: vocabulary, storePath: storePath)
        let suffix = "-\(fingerprint.storeSHA256)-\(fingerprint.wordCount)-\(fingerprint.wordsSHA256.prefix(16))."
        return try cache.names().map { name in
            progress(name)
            return Finding(name: name, verdict: try verdict(
                name: name, cache: cache, resources: resources, fingerprint: fingerprint, suffix: suffix,
                excludedWordSets: excludedWordSets))
        }
    }

    private static func verdict(
        name: String, cache: CacheFolder, resources: VocabularyResources, fingerprint: VocabularyFingerprint,
        suffix: String, excludedWordSets: [Set<String>]
    ) throws -> Verdict {
        if name.hasPrefix("store-checked-") {
            return signed(name, in: cache) { _ in .signedOnly("a record that this store file opened cleanly") }
        }
        guard let range = name.range(of: suffix) else {
            return name.range(of: #"-[0-9a-f]{64}-[0-9]+-[0-9a-f]{16}\.(bin|json)$"#, options: .regularExpression) != nil
                ? .otherVocabulary : .unknown
        }
        let kind = String(name[..<range.lowerBound])
        let index = resources.index
        if kind == "vocabulary-extent" {
            return try signed(name, in: cache) { payload in
                let extent = try VocabularyExtent(store: resources.vocabulary, fingerprint: fingerprint, progress: { _ in })
                return compare(payload, try extent.cachePayload())
            }
        }
        if let (width, targets) = neighborTableShape(kind) {
            return signed(name, in: cache) { payload in
                let table = NeighborTable(index: index, width: width, targets: targets)
                guard NeighborTable.fileName(width: table.width, targets: targets, fingerprint: fingerprint) == name else {
                    return .differs("its name does not match its width")
                }
                return compare(payload, table.payload(header: NeighborTable.header(
                    wordCount: fingerprint.wordCount, width: table.width, wordsSHA256: fingerprint.wordsSHA256)))
            }
        }
        if kind.hasPrefix("vocabulary-partition-") {
            let words = resources.vocabulary.words
            for excluded in [Set<String>()] + excludedWordSets {
                let eligible = excluded.isEmpty ? nil : words.map { !excluded.contains($0) }
                guard let groupSize = Int(kind.dropFirst("vocabulary-partition-".count).prefix { $0 != "-" }),
                      VocabularyPartition.fileName(groupSize: groupSize, eligible: eligible, fingerprint: fingerprint)
                        == name else { continue }
                return try signed(name, in: cache) { payload in
                    let table = try resources.neighborTable(
                        width: NeighborTable.standardWidth(wordCount: resources.vocabulary.count))
                    let partition = VocabularyPartition(index: resources.index, table: table, groupSize: groupSize,
                                                        eligible: eligible, progress: { _ in })
                    return compare(payload, partition.payload(eligible: eligible, fingerprint: fingerprint))
                }
            }
            return signed(name, in: cache) { _ in .signedOnly("a partition of an unknown word set, not recomputed") }
        }
        if kind.hasPrefix("hnsw-") {
            return signed(name, in: cache) { _ in
                .signedOnly("an HNSW graph; approximate and built by several threads, so not recomputed (its vectors "
                            + "are checked against the store whenever it is loaded)")
            }
        }
        return .unknown
    }

    /// The verdict `body` gives on the payload of a file this user signed, else why it is rejected.
    private static func signed(_ name: String, in cache: CacheFolder,
                               _ body: (Data) throws -> Verdict) rethrows -> Verdict {
        switch cache.lookUp(name) {
        case .valid(let payload): return try body(payload)
        case .rejected(let reason): return .rejected(reason)
        case .missing: return .rejected("it vanished while being checked")
        }
    }

    private static func compare(_ found: Data, _ expected: Data) -> Verdict {
        if found == expected { return .matches }
        if found.count != expected.count {
            return .differs("\(found.count) bytes where the store gives \(expected.count)")
        }
        let first = zip(found, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? 0
        return .differs("its content differs from what the store gives, from byte \(first) on")
    }

    /// Width and target range of a `neighbor-table-W[-among-A-B]` kind.
    private static func neighborTableShape(_ kind: String) -> (Int, Range<Int>?)? {
        let parts = kind.split(separator: "-")
        guard parts.count >= 3, parts[0] == "neighbor", parts[1] == "table", let width = Int(parts[2]) else { return nil }
        if parts.count == 3 { return (width, nil) }
        guard parts.count == 6, parts[3] == "among", let low = Int(parts[4]), let high = Int(parts[5]), low < high
        else { return nil }
        return (width, low..<high)
    }
}
