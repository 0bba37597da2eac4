import DPText

/// Everything a privatization run is built from, assembled the same way by
/// `privatize` and `bench privatize`.
struct PrivatizationSetup {
    /// The vocabulary (the store's single-word entries) and what is computed from it.
    let resources: VocabularyResources
    let mechanism: any WordMechanism
    /// What decodes noisy vectors (the exact index unless `--decoder hnsw`).
    let decoder: any NeighborIndex
    let pipeline: PrivatizationPipeline

    var vocabulary: EmbeddingStore { resources.vocabulary }

    init(
        resources: VocabularyResources, options: MechanismOptions, policy: OOVPolicy, maskToken: String,
        noise: NoiseSource, format: RecordFormat, threads: Int, chunkSize: Int = 4096, onError: RecordErrorPolicy = .fail,
        maxUnprotectedFraction: Double? = nil, recordKey: String? = nil
    ) throws {
        self.resources = resources
        let rewriter = TextRewriter(store: resources.vocabulary, policy: policy, maskToken: maskToken)
        mechanism = try options.make(resources: resources, standIns: rewriter.standIns)
        decoder = try options.makeDecoder(resources: resources)
        pipeline = PrivatizationPipeline(
            rewriter: rewriter,
            privatizer: try Privatizer(mechanism: mechanism, decoder: decoder, shortcut: options.makeShortcut(resources: resources)),
            noise: noise, format: format, threads: threads, chunkSize: chunkSize, onError: onError,
            maxUnprotectedFraction: maxUnprotectedFraction, recordKey: recordKey)
    }
}
