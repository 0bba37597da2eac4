/// A public vocabulary and its embedding vectors, held in memory.
///
/// Words keep the order of the file they came from; for GloVe that is
/// frequency order, so word id 0 is the most frequent word and a vocabulary
/// limit of N keeps the N most frequent words.
///
/// Vectors are stored row-major in single precision (`vectors[id * dimension + j]`),
/// which is the precision GloVe, word2vec and fastText are published in.
/// Callers that need double precision (the mechanisms) widen values exactly.
///
/// Invariants, checked by every initializer: at least one word, `dimension ≥ 1`,
/// words non-empty and unique, every value finite.
public struct EmbeddingStore: Sendable {
    /// The words, in file order. `words[id]` is the word with that id.
    public let words: [String]
    /// Row-major `count × dimension` matrix of vectors.
    public let vectors: [Float]
    /// The embedding dimension D.
    public let dimension: Int
    /// Descriptive attributes carried by the file.
    public let metadata: Metadata
    private let idsByWord: [String: Int]

    /// Descriptive, optional attributes of a store (HDF5 root attributes).
    public struct Metadata: Sendable, Equatable {
        public var name: String?
        public var source: String?
        public var license: String?

        public init(name: String? = nil, source: String? = nil, license: String? = nil) {
            self.name = name
            self.source = source
            self.license = license
        }
    }

    /// Creates a store from words and a row-major vector matrix, validating it.
    ///
    /// - Parameter origin: what to name in error messages (a file path, or a
    ///   description such as `"<memory>"`).
    /// - Throws: `EmbeddingStoreError` when an invariant does not hold.
    public init(
        words: [String], vectors: [Float], dimension: Int,
        metadata: Metadata = Metadata(), origin: String = "<memory>"
    ) throws {
        guard dimension > 0 else { throw EmbeddingStoreError.zeroDimension(path: origin) }
        guard !words.isEmpty else { throw EmbeddingStoreError.noWords(path: origin) }
        guard vectors.count == words.count * dimension else {
            throw EmbeddingStoreError.countMismatch(
                path: origin, words: words.count, vectors: vectors.count / dimension)
        }
        self.idsByWord = try Self.indexWords(words, origin: origin)
        try Self.checkFinite(vectors, dimension: dimension, words: words, origin: origin)
        self.words = words
        self.vectors = vectors
        self.dimension = dimension
        self.metadata = metadata
    }

    /// The number of words V.
    public var count: Int { words.count }

    /// The id of `word` (exact, case-sensitive match), or nil.
    public func id(of word: String) -> Int? { idsByWord[word] }

    /// The vector of word `id`, widened to double precision.
    public func vector(at id: Int) -> [Double] {
        let start = id * dimension
        return vectors[start..<start + dimension].map(Double.init)
    }

    /// A store holding only the first `limit` words (all of them when
    /// `limit ≥ count`).
    public func prefix(_ limit: Int) throws -> EmbeddingStore {
        guard limit >= 1 else { throw EmbeddingStoreError.invalidVocabLimit(limit) }
        guard limit < count else { return self }
        return try EmbeddingStore(
            words: Array(words.prefix(limit)),
            vectors: Array(vectors.prefix(limit * dimension)),
            dimension: dimension, metadata: metadata)
    }

    /// Ids by word; throws for an empty or repeated word (rows numbered from 1).
    static func indexWords(_ words: [String], origin: String) throws -> [String: Int] {
        var ids = [String: Int](minimumCapacity: words.count)
        for (id, word) in words.enumerated() {
            guard !word.isEmpty else { throw EmbeddingStoreError.emptyWord(path: origin, row: id + 1) }
            if let first = ids.updateValue(id, forKey: word) {
                throw EmbeddingStoreError.duplicateWord(
                    path: origin, word: word, firstRow: first + 1, secondRow: id + 1)
            }
        }
        return ids
    }

    private static func checkFinite(
        _ vectors: [Float], dimension: Int, words: [String], origin: String
    ) throws {
        // One pass that almost always finds nothing; locate the culprit only on failure.
        guard let flat = vectors.firstIndex(where: { !$0.isFinite }) else { return }
        let row = flat / dimension
        throw EmbeddingStoreError.nonFiniteValue(
            path: origin, row: row + 1, column: flat % dimension + 1, word: words[row])
    }
}

extension EmbeddingStore {
    /// The words for which `isIncluded` holds, in their original order, with
    /// their vectors.
    public func subset(where isIncluded: (String) -> Bool) throws -> EmbeddingStore {
        var keptWords: [String] = []
        var keptVectors: [Float] = []
        for (id, word) in words.enumerated() where isIncluded(word) {
            keptWords.append(word)
            keptVectors.append(contentsOf: vectors[id * dimension..<(id + 1) * dimension])
        }
        return try EmbeddingStore(words: keptWords, vectors: keptVectors, dimension: dimension, metadata: metadata)
    }
}
