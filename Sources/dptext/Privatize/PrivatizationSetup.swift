import DPText

/// Everything a privatization run is built from, assembled the same way by
/// `privatize` and `bench privatize`.
struct PrivatizationSetup {
    /// The single-word entries of the store: the mechanism's inputs and outputs.
    let vocabulary: EmbeddingStore
    let mechanism: any WordMechanism
    /// What decodes noisy vectors (the exact index unless `--decoder hnsw`).
    let decoder: any NeighborIndex
    let pipeline: PrivatizationPipeline

    init(
        vocabulary: EmbeddingStore, index: ExactNeighborIndex, storePath: String, settings: MechanismSettings,
        policy: OOVPolicy, maskToken: String, noise: NoiseSource, format: RecordFormat, threads: Int,
        chunkSize: Int = 4096, onError: RecordErrorPolicy = .fail, maxUnprotectedFraction: Double? = nil,
        recordKey: String? = nil
    ) throws {
        self.vocabulary = vocabulary
        let rewriter = TextRewriter(store: vocabulary, policy: policy, maskToken: maskToken)
        mechanism = try settings.make(vocabulary: vocabulary, index: index, storePath: storePath,
                                      standIns: rewriter.standIns)
        decoder = try settings.makeDecoder(vocabulary: vocabulary, index: index, storePath: storePath)
        pipeline = PrivatizationPipeline(
            rewriter: rewriter,
            privatizer: try Privatizer(mechanism: mechanism, decoder: decoder,
                                       shortcut: settings.makeShortcut(vocabulary: vocabulary, storePath: storePath)),
            noise: noise, format: format, threads: threads, chunkSize: chunkSize, onError: onError,
            maxUnprotectedFraction: maxUnprotectedFraction, recordKey: recordKey)
    }
}
