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
        store: EmbeddingStore, choice: MechanismChoice, epsilon: Double?, policy: OOVPolicy, maskToken: String,
        noise: NoiseSource, format: RecordFormat, threads: Int, decoder: ExactNeighborIndex? = nil
    ) throws {
        self.store = store
        vocabulary = try WordTokenizer.wordVocabulary(of: store)
        mechanism = try choice.make(epsilon: epsilon, store: vocabulary)
        pipeline = PrivatizationPipeline(
            rewriter: TextRewriter(store: vocabulary, policy: policy, maskToken: maskToken),
            privatizer: Privatizer(mechanism: mechanism, decoder: decoder ?? ExactNeighborIndex(store: vocabulary)),
            noise: noise, format: format, threads: threads)
    }
}
