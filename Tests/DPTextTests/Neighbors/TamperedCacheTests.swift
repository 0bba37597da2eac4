import Foundation
import Testing
@testable import DPText

/// Cache files rewritten by someone else — shapes intact, content chosen to
/// switch privacy off — are never used: the resources are rebuilt and the
/// mechanisms behave as with honest caches.
@Suite("Tampered caches are rebuilt, never used")
struct TamperedCacheTests {
    struct Setup {
        let folder: URL
        let store: EmbeddingStore
        let storePath: String
        let warnings = CacheFolderTests.Warnings()

        init(count: Int = 600) throws {
            folder = try TestData.temporaryFolder()
            store = TestData.randomStore(count: count, dimension: 8, seed: 77)
            storePath = folder.appendingPathComponent("store.h5").path
            try store.write(to: storePath)
        }

        /// Fresh resources (nothing in memory) over the one cache folder.
        func resources() throws -> VocabularyResources {
            VocabularyResources(vocabulary: store, storePath: storePath,
                                cache: try TestData.cacheFolder(folder.appendingPathComponent("cache"), warn: warnings.add))
        }

        /// The one cache file whose name starts with `prefix`.
        func file(_ prefix: String) throws -> URL {
            let cache = folder.appendingPathComponent("cache")
            let names = try FileManager.default.contentsOfDirectory(atPath: cache.path).filter { $0.hasPrefix(prefix) }
            try #require(names.count == 1, "\(names)")
            return cache.appendingPathComponent(names[0])
        }
    }

    /// `bytes` with the little-endian Int32 at each of `offsets` set to `value(index)`.
    static func rewriting(_ bytes: Data, from start: Int, count: Int, value: (Int) -> Int32) -> Data {
        var bytes = bytes
        for index in 0..<count {
            withUnsafeBytes(of: value(index).littleEndian) { bytes.replaceSubrange(start + 4 * index..<start + 4 * index + 4, with: $0) }
        }
        return bytes
    }

    @Test("a neighbour table listing one distant word 40 times per word: rebuilt; santext replaces words as with the honest table")
    func neighborTable() throws {
        let setup = try Setup()
        defer { TestData.cleanUp(setup.folder) }
        let width = NeighborTable.standardWidth(wordCount: setup.store.count)
        let honest = try setup.resources().neighborTable(width: width)
        let mechanism = try SanTextMechanism(epsilon: 4, resources: try setup.resources())
        let inputs = (0..<2000).map { MechanismInput.word($0 % setup.store.count) }
        var generator = SeededGenerator(seed: 5)
        let honestOutputs = inputs.map { mechanism.draw($0, using: &generator).word }
        let honestReplaced = zip(inputs, honestOutputs).filter { $0.0 != .word($0.1!) }.count
        #expect(honestReplaced > 500, "santext at ε = 4 replaces many words: \(honestReplaced)")

        // Every row: the word farthest from it, 40 times — header, size, range and self checks all pass.
        let file = try setup.file("neighbor-table-")
        let original = try Data(contentsOf: file)
        let farthest = (0..<setup.store.count).map { id in
            (0..<setup.store.count).max { setup.store.squaredDistance(between: id, and: $0)
                < setup.store.squaredDistance(between: id, and: $1) }!
        }
        let tampered = Self.rewriting(original, from: 88, count: setup.store.count * width) { Int32(farthest[$0 / width]) }
        try tampered.write(to: file)
        let rebuilt = try setup.resources().neighborTable(width: width)
        for id in 0..<setup.store.count { #expect(rebuilt.neighbors(of: id) == honest.neighbors(of: id)) }
        #expect(setup.warnings.all.contains { $0.contains(file.path) && $0.contains("signature does not match") })

        // The same table signed with another user's key, and santext over a fresh read of the folder.
        let name = file.lastPathComponent
        try CacheFolder(path: file.deletingLastPathComponent().path, key: .random())
            .save(name, tampered.prefix(tampered.count - CacheFolder.tagSize))
        let again = try SanTextMechanism(epsilon: 4, resources: try setup.resources())
        generator = SeededGenerator(seed: 5)
        #expect(inputs.map { again.draw($0, using: &generator).word } == honestOutputs)
    }

    @Test("a partition rewritten as one group per word: rebuilt; custext replaces words as with the honest partition")
    func partition() throws {
        let setup = try Setup()
        defer { TestData.cleanUp(setup.folder) }
        let honest = try setup.resources().partition(groupSize: 20)
        let file = try setup.file("vocabulary-partition-")
        let original = try Data(contentsOf: file)
        // The group count in the header becomes V, and word i is alone in group i.
        let count = setup.store.count
        var tampered = original
        withUnsafeBytes(of: UInt64(count).littleEndian) { tampered.replaceSubrange(24..<32, with: $0) }
        tampered = Self.rewriting(tampered, from: 160, count: count) { Int32($0) }
        try tampered.write(to: file)
        let rebuilt = try setup.resources().partition(groupSize: 20)
        #expect(rebuilt.groupOf == honest.groupOf)
        #expect(setup.warnings.all.contains { $0.contains(file.path) })

        let mechanism = try CusTextMechanism(epsilon: 1, groupSize: 20, resources: try setup.resources())
        var generator = SeededGenerator(seed: 9)
        let replaced = (0..<2000).filter { mechanism.draw(.word($0 % count), using: &generator).word != $0 % count }.count
        #expect(replaced > 1000, "custext at ε = 1 replaces most words within groups of 20: \(replaced)")
    }

    @Test("cache verify: honest files match, a signed wrong file differs, a foreign one is rejected")
    func verification() throws {
        let setup = try Setup(count: 300)
        defer { TestData.cleanUp(setup.folder) }
        let resources = try setup.resources()
        _ = try resources.neighborTable(width: 12)
        _ = try resources.partition(groupSize: 10)
        _ = try resources.extent()
        let cache = try #require(resources.cache)
        try Data("not ours".utf8).write(to: URL(fileURLWithPath: cache.file("notes.txt")))
        let memory = VocabularyResources(vocabulary: setup.store)
        var findings = try CacheVerification.verify(cache: cache, resources: memory, storePath: setup.storePath)
        #expect(findings.count == 5)
        #expect(findings.filter { $0.verdict == .matches }.count == 4, "\(findings)")
        #expect(findings.first { $0.name == "notes.txt" }?.verdict == .unknown)

        // A file this key signed whose content is wrong (a bug, or an older dptext): differs.
        let table = try setup.file("neighbor-table-12-")
        let payload = try #require(cache.load(table.lastPathComponent))
        try cache.save(table.lastPathComponent, Self.rewriting(payload, from: 88, count: 1) { _ in 5 })
        // A partition signed by someone else: rejected.
        let partition = try setup.file("vocabulary-partition-")
        try CacheFolder(path: cache.path, key: .random()).save(partition.lastPathComponent, Data("x".utf8))
        findings = try CacheVerification.verify(cache: cache, resources: memory, storePath: setup.storePath)
        let verdicts = Dictionary(uniqueKeysWithValues: findings.map { ($0.name, $0.verdict) })
        #expect(verdicts[table.lastPathComponent]?.isProblem == true)
        guard case .rejected = verdicts[partition.lastPathComponent] else { Issue.record("\(findings)"); return }
    }
}

private extension Draw {
    /// The word of a `.word` draw.
    var word: Int? {
        if case .word(let id) = outcome { return id }
        return nil
    }
}
