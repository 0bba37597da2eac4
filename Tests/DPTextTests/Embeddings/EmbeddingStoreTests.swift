import Testing
@testable import DPText

@Suite("Embedding store invariants")
struct EmbeddingStoreTests {
    let words = ["the", "cat", "sat"]
    let vectors: [Float] = [1, 0, 0.5, 1, -2, 0.25]

    @Test func validStoreKeepsOrderAndLooksUpWords() throws {
        let store = try EmbeddingStore(words: words, vectors: vectors, dimension: 2)
        #expect(store.count == 3)
        #expect(store.dimension == 2)
        #expect(store.id(of: "sat") == 2)
        #expect(store.id(of: "Sat") == nil)
        #expect(store.vector(at: 1) == [0.5, 1])
    }

    @Test func rejectsZeroDimension() {
        #expect(throws: EmbeddingStoreError.zeroDimension(path: "<memory>")) {
            try EmbeddingStore(words: words, vectors: [], dimension: 0)
        }
    }

    @Test func rejectsEmptyVocabulary() {
        #expect(throws: EmbeddingStoreError.noWords(path: "<memory>")) {
            try EmbeddingStore(words: [], vectors: [], dimension: 2)
        }
    }

    @Test func rejectsCountMismatch() {
        #expect(throws: EmbeddingStoreError.countMismatch(path: "<memory>", words: 3, vectors: 2)) {
            try EmbeddingStore(words: words, vectors: Array(vectors.prefix(4)), dimension: 2)
        }
    }

    @Test func rejectsEmptyWord() {
        #expect(throws: EmbeddingStoreError.emptyWord(path: "<memory>", row: 2)) {
            try EmbeddingStore(words: ["the", "", "sat"], vectors: vectors, dimension: 2)
        }
    }

    @Test func rejectsDuplicateWord() {
        #expect(throws: EmbeddingStoreError.duplicateWord(path: "<memory>", word: "the", firstRow: 1, secondRow: 3)) {
            try EmbeddingStore(words: ["the", "cat", "the"], vectors: vectors, dimension: 2)
        }
    }

    @Test(arguments: [Float.nan, .infinity, -.infinity])
    func rejectsNonFiniteValues(_ bad: Float) {
        var values = vectors
        values[3] = bad
        #expect(throws: EmbeddingStoreError.nonFiniteValue(path: "<memory>", row: 2, column: 2, word: "cat")) {
            try EmbeddingStore(words: words, vectors: values, dimension: 2)
        }
    }

    @Test func prefixKeepsTheFirstWords() throws {
        let store = try EmbeddingStore(words: words, vectors: vectors, dimension: 2)
        let limited = try store.prefix(2)
        #expect(limited.words == ["the", "cat"])
        #expect(limited.vectors == Array(vectors.prefix(4)))
        #expect(try store.prefix(10).count == 3)
        #expect(throws: EmbeddingStoreError.invalidVocabLimit(0)) { try store.prefix(0) }
    }

    @Test func distanceIsEuclidean() throws {
        let store = try EmbeddingStore(words: words, vectors: vectors, dimension: 2)
        // (1, 0) to (-2, 0.25): sqrt(9 + 0.0625)
        #expect(store.distance(between: 0, and: 2) == (9.0625 as Double).squareRoot())
        #expect(store.distance(between: 1, and: 1) == 0)
    }

    @Test("eight distances at once equal the one-word distances to the last bit")
    func batchedDistancesMatch() {
        let store = TestData.randomStore(count: 300, dimension: 50, seed: 5)
        var generator = SeededGenerator(seed: 6)
        for _ in 0..<200 {
            let ids = SIMD8<Int32>((0..<8).map { _ in Int32.random(in: 0..<300, using: &generator) })
            let center = Int.random(in: 0..<300, using: &generator)
            let query = store.vector(at: center).map { $0 + Double.random(in: -1...1, using: &generator) }
            let word = store.vector(at: center)
            for (vector, isWord) in [(query, false), (word, true)] {
                let batch = vector.withUnsafeBufferPointer { store.squaredDistances(from: $0, to: ids) }
                for lane in 0..<8 {
                    let one = isWord ? store.squaredDistance(between: center, and: Int(ids[lane]))
                                     : vector.withUnsafeBufferPointer { store.squaredDistance(from: $0, to: Int(ids[lane])) }
                    #expect(batch[lane].bitPattern == one.bitPattern)
                }
            }
        }
    }
}
