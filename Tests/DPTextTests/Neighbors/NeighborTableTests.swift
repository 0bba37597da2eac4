import Foundation
import Testing
@testable import DPText

@Suite("NeighborTable")
struct NeighborTableTests {
    @Test("the standard width holds truncated Gumbel's candidate lists at its default Poisson mean")
    func standardWidth() {
        // The widths of the tables cached for the bundled (48,398 words) and the full (368,770) stores.
        #expect(NeighborTable.standardWidth(wordCount: 48_398) == 40)
        #expect(NeighborTable.standardWidth(wordCount: 368_770) == 44)
        for count in [2, 3, 10, 1_000, 48_398] {
            let mean = log(Double(max(count, 3) - 1))
            let poisson = TruncatedPoisson(mean: mean, maximum: count - 1)
            let width = NeighborTable.standardWidth(wordCount: count)
            #expect(poisson.upperTail(above: width + 1) < 1e-12 && (width == 0 || poisson.upperTail(above: width) >= 1e-12))
            #expect(TruncatedGumbelMechanism.tableWidth(wordCount: count) == width)
        }
    }

    @Test("rows are the exact neighbour lists, the word itself left out")
    func rowsMatchExactSearch() {
        for (count, dimension, width) in [(300, 4, 10), (50, 2, 49), (7, 3, 20), (1, 2, 5)] {
            let store = TestData.randomStore(count: count, dimension: dimension, seed: UInt64(count))
            let index = ExactNeighborIndex(store: store)
            let table = NeighborTable(index: index, width: width)
            #expect(table.width == min(width, count - 1) && table.wordCount == (table.width == 0 ? 0 : count))
            for word in 0..<count where table.width > 0 {
                let expected = index.neighbors(ofWord: word, k: table.width + 1).dropFirst().map(\.id)
                #expect(table.neighbors(of: word).map(Int.init) == Array(expected), "V = \(count), word \(word)")
            }
        }
    }

    @Test("ties between duplicate vectors keep the index's order (lower id first)")
    func duplicates() throws {
        let store = try EmbeddingStore(words: ["a", "b", "c", "d"], vectors: [0, 0, 1, 0, 1, 0, 0, 0], dimension: 2)
        let table = NeighborTable(index: ExactNeighborIndex(store: store), width: 3)
        #expect(table.neighbors(of: 0).map(Int.init) == [3, 1, 2])
        #expect(table.neighbors(of: 1).map(Int.init) == [2, 0, 3])
        #expect(table.neighbors(of: 3).map(Int.init) == [0, 1, 2])
    }

    @Test("the cache saves, reloads identically, and rebuilds a damaged or mismatched file")
    func cacheRoundTrip() throws {
        let folder = try TestData.temporaryFolder()
        defer { TestData.cleanUp(folder) }
        let store = TestData.randomStore(count: 200, dimension: 5, seed: 31)
        let storePath = folder.appendingPathComponent("store.h5").path
        try store.write(to: storePath)
        let fingerprint = try VocabularyFingerprint(store: store, storePath: storePath)
        let index = CountingIndex(ExactNeighborIndex(store: store))
        let cacheFolder = folder.appendingPathComponent("cache").path
        let cache = try TestData.cacheFolder(URL(fileURLWithPath: cacheFolder))
        let first = try NeighborTable.cached(index: index, width: 12, fingerprint: fingerprint, cache: cache)
        let files = try FileManager.default.contentsOfDirectory(atPath: cacheFolder)
        #expect(files.count == 1 && files[0].hasPrefix("neighbor-table-12-\(fingerprint.storeSHA256)-200-"))
        #expect(index.queries.value == 200, "built: one query per word")
        let again = try NeighborTable.cached(index: index, width: 12, fingerprint: fingerprint, cache: cache)
        #expect(index.queries.value == 200, "loaded, not rebuilt")
        for word in 0..<store.count { #expect(again.neighbors(of: word) == first.neighbors(of: word)) }

        // A changed id (same size, same header) breaks the signature: the table is rebuilt.
        let file = URL(fileURLWithPath: cacheFolder).appendingPathComponent(files[0])
        var bytes = try Data(contentsOf: file)
        bytes.replaceSubrange(bytes.count - 4..<bytes.count, with: [0xFF, 0xFF, 0xFF, 0x7F])
        try bytes.write(to: file)
        let repaired = try NeighborTable.cached(index: index, width: 12, fingerprint: fingerprint, cache: cache)
        #expect(index.queries.value == 400, "rebuilt")
        for word in 0..<store.count { #expect(repaired.neighbors(of: word) == first.neighbors(of: word)) }

        // A truncated file is rebuilt too.
        try Data(try Data(contentsOf: file).prefix(100)).write(to: file)
        _ = try NeighborTable.cached(index: index, width: 12, fingerprint: fingerprint, cache: cache)
        #expect(index.queries.value == 600, "rebuilt")
    }

    @Test("a cache folder that is not a folder is a clear error naming it")
    func unwritableCache() throws {
        let folder = try TestData.temporaryFolder()
        defer { TestData.cleanUp(folder) }
        let blocker = folder.appendingPathComponent("not-a-folder")
        try Data("x".utf8).write(to: blocker)
        #expect {
            try TestData.cacheFolder(blocker)
        } throws: { error in
            guard case .unusableFolder(let path, _, _) = error as? CacheError else { return false }
            return path == blocker.path && "\(error)".contains("choose another cache folder")
        }
    }
}

/// An exact index that counts the queries it answers.
private struct CountingIndex: NeighborIndex {
    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        var value: Int { lock.withLock { count } }
        func add(_ n: Int) { lock.withLock { count += n } }
    }

    let base: ExactNeighborIndex
    let queries = Counter()
    init(_ base: ExactNeighborIndex) { self.base = base }
    var store: EmbeddingStore { base.store }
    var isExact: Bool { true }
    func nearest(toEach queries: [Double], k: Int) -> [[Neighbor]] {
        self.queries.add(queries.count / store.dimension)
        return base.nearest(toEach: queries, k: k)
    }
}
