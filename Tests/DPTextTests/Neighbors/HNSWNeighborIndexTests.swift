import Foundation
import Testing
@testable import DPText

/// `n` noisy queries: the vectors of random words plus N(0, σ²) per coordinate,
/// like the noisy vectors a mechanism asks to decode.
private func noisyQueries(_ store: EmbeddingStore, count n: Int, sigma: Double, seed: UInt64) -> [Double] {
    var generator = SeededGenerator(seed: seed)
    return (0..<n).flatMap { _ in
        store.vector(at: Int.random(in: 0..<store.count, using: &generator))
            .map { $0 + sigma * TestData.gaussian(using: &generator) }
    }
}

/// The fraction of queries whose first result is the exact nearest word.
private func recallAt1(_ found: [[Neighbor]], exact: [[Neighbor]]) -> Double {
    Double(zip(found, exact).filter { $0.first?.id == $1.first?.id }.count) / Double(exact.count)
}

/// Every list has `k` distinct valid ids, sorted by (exact distance, id), and
/// each distance is the exact double-precision distance to the query.
private func checkExactlyRanked(_ found: [[Neighbor]], queries: [Double], store: EmbeddingStore, k: Int) {
    let dimension = store.dimension
    queries.withUnsafeBufferPointer { all in
        for (row, list) in found.enumerated() {
            let query = UnsafeBufferPointer(rebasing: all[row * dimension..<(row + 1) * dimension])
            #expect(list.count == k)
            #expect(Set(list.map(\.id)).count == list.count)
            #expect(list.allSatisfy { (0..<store.count).contains($0.id) })
            #expect(list.allSatisfy { $0.distance == store.squaredDistance(from: query, to: $0.id).squareRoot() })
            #expect(zip(list, list.dropFirst()).allSatisfy { ($0.distance, $0.id) < ($1.distance, $1.id) })
        }
    }
}

@Suite("Approximate (HNSW) k-nearest-neighbour search")
struct HNSWNeighborIndexTests {
    static let random = TestData.randomStore(count: 5000, dimension: 20, seed: 5000)
    static let randomIndex = try! HNSWNeighborIndex(store: random)
    /// The 20,000 most frequent words of the bundled GloVe store.
    static let glove = try! EmbeddingStore.load(from: TestData.bundledStore).prefix(20_000)
    static let gloveIndex = try! HNSWNeighborIndex(store: glove)

    // Recall bounds: measured values (deterministic: one insertion thread,
    // fixed seeds) are in the comments. An index returning random ids scores
    // about 1/V; one that lost most of its graph, far below these bounds.

    @Test func recallOnRandomData() {
        let store = Self.random, index = Self.randomIndex
        #expect(!index.isExact)
        for (sigma, bound) in [(0.5, 0.97), (1.0, 0.95)] {  // measured 1.000, 0.998
            let queries = noisyQueries(store, count: 500, sigma: sigma, seed: 51)
            let exact = ExactNeighborIndex(store: store).nearest(toEach: queries, k: 1)
            let recall = recallAt1(index.nearest(toEach: queries, k: 1), exact: exact)
            #expect(recall >= bound, "σ = \(sigma): recall@1 = \(recall)")
        }
    }

    @Test func recallOnTheBundledGloVeStore() {
        let store = Self.glove, index = Self.gloveIndex
        var generator = SeededGenerator(seed: 53)
        for (sigma, bound) in [(0.5, 0.97), (1.0, 0.9), (2.0, 0.8)] {  // measured 1.000, 0.960, 0.906
            let queries = noisyQueries(store, count: 500, sigma: sigma, seed: 52)
            let exact = ExactNeighborIndex(store: store).nearest(toEach: queries, k: 1)
            let recall = recallAt1(index.nearest(toEach: queries, k: 1), exact: exact)
            #expect(recall >= bound, "σ = \(sigma): recall@1 = \(recall)")
            // The measure is not vacuous: random ids score nowhere near the bounds.
            let guesses = exact.map { _ in [Neighbor(id: Int.random(in: 0..<store.count, using: &generator), distance: 0)] }
            #expect(recallAt1(guesses, exact: exact) < 0.01)
        }
    }

    @Test func resultsAreValidAndSortedByExactDistance() {
        for (store, index) in [(Self.random, Self.randomIndex), (Self.glove, Self.gloveIndex)] {
            for k in [1, 10, 100] {
                let queries = noisyQueries(store, count: 50, sigma: 1, seed: UInt64(60 + k))
                checkExactlyRanked(index.nearest(toEach: queries, k: k), queries: queries, store: store, k: k)
            }
        }
    }

    @Test func matchesExactSearchAndBreaksTiesByLowerIdOnASmallGrid() throws {
        // A 10 × 10 grid: many exactly equal distances; words 3 and 7 share a vector.
        // With V ≤ ef the beam holds every word, so the result must be exact.
        var vectors: [Float] = []
        for i in 0..<100 { vectors += [Float(i % 10), Float(i / 10)] }
        vectors[14] = vectors[6]; vectors[15] = vectors[7]
        let store = try EmbeddingStore(words: (0..<100).map { "g\($0)" }, vectors: vectors, dimension: 2)
        let index = try HNSWNeighborIndex(store: store, parameters: .init(efSearch: 100))
        let exact = ExactNeighborIndex(store: store)
        let queries: [Double] = [4.5, 4.5, 0, 0, 3, 0, 9.5, -1, 5, 5]
        #expect(index.nearest(toEach: queries, k: 12) == exact.nearest(toEach: queries, k: 12))
        #expect(index.neighbors(ofWord: 7, k: 3).map(\.id) == [7, 3, 2])
    }

    @Test func clampsKToTheVocabulary() throws {
        let store = TestData.randomStore(count: 7, dimension: 4, seed: 3)
        let index = try HNSWNeighborIndex(store: store)
        let query = store.vector(at: 2)
        #expect(index.nearest(to: query, k: 50) == ExactNeighborIndex(store: store).nearest(to: query, k: 7))
        #expect(index.nearest(to: query, k: 0).isEmpty)
        #expect(index.nearest(toEach: [], k: 5).isEmpty)
        let single = try EmbeddingStore(words: ["only"], vectors: [1, 2], dimension: 2)
        #expect(try HNSWNeighborIndex(store: single).nearest(to: [0, 0], k: 3) == [Neighbor(id: 0, distance: 5.0.squareRoot())])
    }

    @Test func buildsAreReproducibleAndSaveLoadRoundTrips() throws {
        let folder = try TestData.temporaryFolder()
        defer { TestData.cleanUp(folder) }
        let store = Self.random
        let first = folder.appendingPathComponent("first.hnsw").path
        let second = folder.appendingPathComponent("second.hnsw").path
        try Self.randomIndex.save(to: first)
        try HNSWNeighborIndex(store: store).save(to: second)
        // One insertion thread: the same graph, byte for byte.
        #expect(FileManager.default.contentsEqual(atPath: first, andPath: second))

        let loaded = try HNSWNeighborIndex.load(from: first, store: store)
        #expect(loaded.m == 16 && loaded.efConstruction == 200 && loaded.efSearch == 64)
        let queries = noisyQueries(store, count: 300, sigma: 1, seed: 70)
        #expect(loaded.nearest(toEach: queries, k: 10) == Self.randomIndex.nearest(toEach: queries, k: 10))
        // Saving over an existing file replaces it.
        try loaded.save(to: second)
        #expect(FileManager.default.contentsEqual(atPath: first, andPath: second))
    }

    @Test func loadingAnIndexOfAnotherStoreFails() throws {
        let folder = try TestData.temporaryFolder()
        defer { TestData.cleanUp(folder) }
        let path = folder.appendingPathComponent("random.hnsw").path
        try Self.randomIndex.save(to: path)

        func expectMismatch(_ store: EmbeddingStore, _ detail: String) {
            let error = #expect(throws: HNSWIndexError.self) { try HNSWNeighborIndex.load(from: path, store: store) }
            guard case .storeMismatch(let failedPath, let reason) = error else {
                Issue.record("expected a store mismatch, got \(String(describing: error))")
                return
            }
            #expect(failedPath == path && reason.contains(detail), "\(reason)")
            #expect("\(error!)".hasPrefix(path))
        }
        expectMismatch(try Self.random.prefix(4000), "4000")  // fewer words
        expectMismatch(TestData.randomStore(count: 5000, dimension: 21, seed: 5000), "dimension 21")
        // Same size, other vectors: caught by comparing them.
        expectMismatch(TestData.randomStore(count: 5000, dimension: 20, seed: 77), "differs")
    }

    @Test func unreadableFilesFailWithTheirPath() throws {
        let folder = try TestData.temporaryFolder()
        defer { TestData.cleanUp(folder) }
        let store = Self.random
        let missing = folder.appendingPathComponent("missing.hnsw").path
        let garbage = folder.appendingPathComponent("garbage.hnsw").path
        let truncated = folder.appendingPathComponent("truncated.hnsw").path
        try Data(repeating: 7, count: 5000).write(to: URL(fileURLWithPath: garbage))
        let whole = folder.appendingPathComponent("whole.hnsw").path
        try Self.randomIndex.save(to: whole)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: whole))
        try bytes.prefix(bytes.count - 100).write(to: URL(fileURLWithPath: truncated))
        for path in [missing, garbage, truncated] {
            let error = #expect(throws: HNSWIndexError.self) { try HNSWNeighborIndex.load(from: path, store: store) }
            guard case .loadFailed(let failedPath, _) = error else {
                Issue.record("expected a load failure, got \(String(describing: error))")
                continue
            }
            #expect(failedPath == path)
        }
        let nowhere = folder.appendingPathComponent("no/such/folder/index.hnsw").path
        let error = #expect(throws: HNSWIndexError.self) { try Self.randomIndex.save(to: nowhere) }
        #expect(error.map { "\($0)" }?.hasPrefix(nowhere) == true)
    }
}
