import Foundation
import Testing
@testable import DPText

@Suite("HDF5 store reading and writing")
struct HDF5StoreTests {
    static let fixtureWords = ["the", "cat", "sat", "on", "mat"]
    static let fixtureVectors: [Float] = [1, 0, 0, 0.5, 1, -1, -2, 0.25, 0, 0, 0, 3, 0.5, 1, -0.5]

    @Test func readsVariableLengthStringsWrittenByH5py() throws {
        let store = try EmbeddingStore.load(from: TestData.fixture("h5py-vlen.h5"))
        #expect(store.words == Self.fixtureWords)
        #expect(store.dimension == 3)
        #expect(store.vectors == Self.fixtureVectors)
        #expect(store.metadata == .init(
            name: "dptext test fixture (5 words, D = 3)", source: "Tools/make_test_fixtures.py", license: "PDDL-1.0"))
    }

    @Test func readsFixedLengthStringsAndFloat64() throws {
        let store = try EmbeddingStore.load(from: TestData.fixture("h5py-fixed.h5"))
        #expect(store.words == Self.fixtureWords)
        #expect(store.vectors == Self.fixtureVectors)
        #expect(store.metadata == .init())
    }

    @Test func readsNonASCIIWords() throws {
        let store = try EmbeddingStore.load(from: TestData.fixture("h5py-utf8.h5"))
        #expect(store.words == ["café", "naïve", "日本", "emoji😀"])
        #expect(store.words.map(\.utf8.count) == [5, 6, 6, 9])
        #expect(store.vector(at: 3) == [0.25, 0.25, 0.25, 0.25])
    }

    @Test func vocabLimitReadsOnlyTheFirstRows() throws {
        let store = try EmbeddingStore.load(from: TestData.fixture("h5py-vlen.h5"), vocabLimit: 2)
        #expect(store.words == ["the", "cat"])
        #expect(store.vectors == Array(Self.fixtureVectors.prefix(6)))
        // A limit past V keeps every word; a limit below 1 is refused.
        #expect(try EmbeddingStore.load(from: TestData.fixture("h5py-vlen.h5"), vocabLimit: 99).count == 5)
        #expect(throws: EmbeddingStoreError.invalidVocabLimit(0)) {
            try EmbeddingStore.load(from: TestData.fixture("h5py-vlen.h5"), vocabLimit: 0)
        }
    }

    @Test func vocabLimitSkipsProblemsBeyondTheLimit() throws {
        // The duplicate "cat" is at row 4, the NaN at row 3: a limit of 2 never reads them.
        #expect(try EmbeddingStore.load(from: TestData.fixture("duplicate-word.h5"), vocabLimit: 3).count == 3)
        #expect(try EmbeddingStore.load(from: TestData.fixture("nan.h5"), vocabLimit: 2).count == 2)
    }

    static let invalidFixtures: [(String, @Sendable (String) -> EmbeddingStoreError)] = [
        ("missing-words.h5", { .missingDataset(path: $0, dataset: "words") }),
        ("missing-vectors.h5", { .missingDataset(path: $0, dataset: "vectors") }),
        ("vectors-rank1.h5", { .wrongRank(path: $0, dataset: "vectors", expected: 2, found: 1) }),
        ("words-2d.h5", { .wrongRank(path: $0, dataset: "words", expected: 1, found: 2) }),
        ("vectors-int.h5", { .wrongType(path: $0, dataset: "vectors", expected: "float32 or float64",
                                        found: "32-bit integers") }),
        ("words-int.h5", { .wrongType(path: $0, dataset: "words", expected: "strings", found: "32-bit integers") }),
        ("count-mismatch.h5", { .countMismatch(path: $0, words: 5, vectors: 4) }),
        ("nan.h5", { .nonFiniteValue(path: $0, row: 3, column: 2, word: "sat") }),
        ("inf.h5", { .nonFiniteValue(path: $0, row: 4, column: 3, word: "on") }),
        ("empty-word.h5", { .emptyWord(path: $0, row: 4) }),
        ("duplicate-word.h5", { .duplicateWord(path: $0, word: "cat", firstRow: 2, secondRow: 4) }),
        ("zero-dim.h5", { .zeroDimension(path: $0) }),
        ("not-hdf5.h5", { .notHDF5(path: $0) }),
        ("empty.h5", { .emptyFile(path: $0) }),
        ("truncated.h5", { .corruptHDF5(path: $0, detail: "libhdf5 cannot open it") }),
    ]

    @Test(arguments: invalidFixtures)
    func rejectsInvalidStoreWithAnErrorNamingTheFile(_ name: String, _ expected: @Sendable (String) -> EmbeddingStoreError) {
        let path = TestData.fixture(name)
        #expect(throws: expected(path)) { try EmbeddingStore.load(from: path) }
        #expect(expected(path).description.hasPrefix(path + ": "))
    }

    @Test(arguments: invalidFixtures)
    func subsetLoadingValidatesRowsItDoesNotKeep(_ name: String, _ expected: @Sendable (String) -> EmbeddingStoreError) {
        let path = TestData.fixture(name)
        #expect(throws: expected(path)) { try EmbeddingStore.loadSubset(from: path, keeping: { _ in false }) }
    }

    @Test func subsetLoadingEqualsFilteringTheWholeStore() throws {
        let whole = try EmbeddingStore.load(from: TestData.bundledStore, vocabLimit: 30_000)
        let expected = try WordTokenizer.wordVocabulary(of: whole)
        let (subset, storeWords) = try EmbeddingStore.loadWordVocabulary(from: TestData.bundledStore, vocabLimit: 30_000)
        #expect(storeWords == 30_000 && subset.count < whole.count)
        #expect(subset.words == expected.words && subset.vectors == expected.vectors)
        #expect(subset.dimension == whole.dimension && subset.metadata == whole.metadata)
    }

    @Test func rejectsMissingFilesAndFolders() throws {
        #expect(throws: EmbeddingStoreError.fileNotFound(path: "/nonexistent/store.h5")) {
            try EmbeddingStore.load(from: "/nonexistent/store.h5")
        }
        let folder = try TestData.temporaryFolder()
        defer { TestData.cleanUp(folder) }
        #expect(throws: EmbeddingStoreError.unreadable(path: folder.path, reason: "it is a directory")) {
            try EmbeddingStore.load(from: folder.path)
        }
    }

    @Test func rejectsStoreTruncatedAtAnyPoint() throws {
        // Cut a real store at several points: every cut is a clean error, never a crash.
        let original = try Data(contentsOf: URL(fileURLWithPath: TestData.fixture("h5py-vlen.h5")))
        let folder = try TestData.temporaryFolder()
        defer { TestData.cleanUp(folder) }
        for length in [8, 100, 1000, original.count / 2, original.count - 100, original.count - 1] {
            let path = folder.appendingPathComponent("cut-\(length).h5").path
            try original.prefix(length).write(to: URL(fileURLWithPath: path))
            #expect(throws: EmbeddingStoreError.self) { try EmbeddingStore.load(from: path) }
        }
    }

    @Test func writeThenLoadRoundTripsExactly() throws {
        let folder = try TestData.temporaryFolder()
        defer { TestData.cleanUp(folder) }
        let path = folder.appendingPathComponent("round-trip.h5").path
        let metadata = EmbeddingStore.Metadata(name: "round trip", source: "a test", license: "CC0-1.0")
        let original = try EmbeddingStore(
            words: ["ä", "日本語", "x y", "w"], vectors: [1.5, -0.1, .leastNonzeroMagnitude, 3e38, 0, -0, 7, 8],
            dimension: 2, metadata: metadata)
        try original.write(to: path)
        let loaded = try EmbeddingStore.load(from: path)
        #expect(loaded.words == original.words)
        #expect(loaded.vectors.map(\.bitPattern) == original.vectors.map(\.bitPattern))
        #expect(loaded.metadata == metadata)
        // Nothing but the store itself is left in the folder.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["round-trip.h5"])
    }

    @Test func writeIntoMissingFolderFailsCleanly() throws {
        let store = try EmbeddingStore(words: ["a"], vectors: [1], dimension: 1)
        #expect(throws: EmbeddingStoreError.writeFailed(path: "/nonexistent/folder/out.h5", detail: "cannot create the file")) {
            try store.write(to: "/nonexistent/folder/out.h5")
        }
    }

    @Test func bundledStoreIsTheFiftyThousandMostFrequentGloVeWords() throws {
        let store = try EmbeddingStore.load(from: TestData.bundledStore)
        #expect(store.count == 50_000)
        #expect(store.dimension == 50)
        #expect(Array(store.words.prefix(5)) == ["the", ",", ".", "of", "to"])
        // GloVe 6B 50d's published vector for "the" starts 0.418 0.24968 -0.41242.
        #expect(Array(store.vector(at: 0).prefix(3)) == [0.418, 0.24968, -0.41242].map { Double(Float($0)) })
        #expect(store.metadata.license?.hasPrefix("PDDL-1.0") == true)
    }
}
