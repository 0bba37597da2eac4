extension EmbeddingStore {
    /// The word vocabulary (`WordTokenizer.wordVocabulary(of:)`) of the
    /// store file at `path`, read without holding the rest of the store, and
    /// the number of words the store has (after `vocabLimit`): what
    /// privatization and evaluation work with.
    public static func loadWordVocabulary(
        from path: String, vocabLimit: Int? = nil
    ) throws -> (vocabulary: EmbeddingStore, storeWords: Int) {
        let (subset, storeWords) = try loadSubset(from: path, vocabLimit: vocabLimit, keeping: WordTokenizer.isSingleWord)
        return (subset, storeWords)
    }
}
