import Testing
import CScreening
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

    /// Eight distances at a time (AVX2 where the processor has it, and the
    /// portable kernel) equal the one-word distance to the last bit, at
    /// dimensions with and without a tail past whole groups of four, with
    /// repeated rows, and with values whose squares differ in magnitude by
    /// far more than a double's precision (so that any other order or a
    /// fused step would change a sum).
    @Test(arguments: [1, 3, 4, 7, 50, 300, 301])
    func eightDistancesEqualOneWordDistances(dimension: Int) throws {
        var generator = SeededGenerator(seed: UInt64(dimension))
        let count = 40
        let vectors = (0..<count * dimension).map { i in
            Float(TestData.gaussian(using: &generator)) * (i % 7 == 0 ? 1e6 : i % 5 == 0 ? 1e-6 : 1)
        }
        let store = try EmbeddingStore(words: (0..<count).map { "w\($0)" }, vectors: vectors, dimension: dimension)
        for trial in 0..<20 {
            let query = (0..<dimension).map { j in TestData.gaussian(using: &generator) * (j % 3 == 0 ? 1e5 : 0.1) }
            var ids = SIMD8<Int32>()
            for lane in 0..<8 { ids[lane] = Int32(trial % 4 == 0 ? 3 : Int.random(in: 0..<count, using: &generator)) }
            let expected = query.withUnsafeBufferPointer { query in (0..<8).map { store.squaredDistance(from: query, to: Int(ids[$0])) } }
            let vectorized = query.withUnsafeBufferPointer { store.squaredDistances(from: $0, to: ids) }
            var portable = [Double](repeating: 0, count: 8)
            let lanes = (0..<8).map { ids[$0] }
            store.vectors.withUnsafeBufferPointer { matrix in
                dptext_squared_distances8_portable(matrix.baseAddress!, dimension, lanes, query, &portable)
            }
            for lane in 0..<8 {
                #expect(vectorized[lane].bitPattern == expected[lane].bitPattern, "lane \(lane), trial \(trial)")
                #expect(portable[lane].bitPattern == expected[lane].bitPattern, "portable lane \(lane), trial \(trial)")
            }
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
