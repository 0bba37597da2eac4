import DPText

/// Everything a privatization run is built from, assembled the same way by
/// `privatize` and `bench privatize`.
struct PrivatizationSetup {
    /// The store as opened (what `--embeddings` and `--vocab-limit` name).
    let store: EmbeddingStore
    /// The single-word entries of the store: the mechanism's inputs and outputs.
    let vocabulary: EmbeddingStore
    let mechanism: any WordMechanism
    let pipeline: PrivatizationPipeline

    init(
        store: EmbeddingStore, storePath: String, settings: MechanismSettings, policy: OOVPolicy, maskToken: String,
        noise: NoiseSource, format: RecordFormat, threads: Int, prepared: (EmbeddingStore, ExactNeighborIndex)? = nil
    ) throws {
        self.store = store
        let (vocabulary, index) = try prepared ?? Self.prepare(store)
        self.vocabulary = vocabulary
        mechanism = try settings.make(vocabulary: vocabulary, index: index, storePath: storePath)
        pipeline = PrivatizationPipeline(
            rewriter: TextRewriter(store: vocabulary, policy: policy, maskToken: maskToken),
            privatizer: Privatizer(mechanism: mechanism, decoder: index),
            noise: noise, format: format, threads: threads)
    }

    /// The word vocabulary of `store` and its exact index.
    static func prepare(_ store: EmbeddingStore) throws -> (EmbeddingStore, ExactNeighborIndex) {
        let vocabulary = try WordTokenizer.wordVocabulary(of: store)
        return (vocabulary, ExactNeighborIndex(store: vocabulary))
    }
}
