import ArgumentParser
import DPText
import Foundation

struct PrivatizeBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "privatize",
        abstract: "Measure privatization throughput and memory on a text file.",
        discussion: """
            Opens the store's word vocabulary and builds the exact index, then privatizes the \
            corpus with each requested mechanism, writing to nowhere, and prints one row per \
            mechanism: start-up seconds (store, index and mechanism set-up, cached extents and \
            neighbour tables loaded), tokens, seconds, tokens/s, MB/s, the fraction of vocabulary \
            words changed, and the process's peak resident memory so far (run one mechanism per \
            process, as `bench suite` does, to see each one's own). Seeded, so runs are comparable.
            """
    )

    @Argument(help: ArgumentHelp("Text file to privatize (one record per line).", valueName: "corpus"))
    var corpus: String

    @OptionGroup var storeOptions: StoreOptions

    @Option(name: .long, parsing: .upToNextOption, help: "Mechanisms to measure (default parameters).")
    var mechanism: [MechanismChoice] = [.identity, .laplace]

    @Option(name: .long, parsing: .upToNextOption, help: "ε values (every mechanism that takes one is run at each).")
    var epsilon: [Double] = [10]

    @Option(help: ArgumentHelp("truncated-gumbel: run at this multiple of its smallest valid ε instead of --epsilon.",
                               valueName: "m"))
    var gumbelMultiple: Double?

    @Option(help: ArgumentHelp("truncated-laplace: the noise-norm cap R (default: n/ε + 5√n/ε, δ ≈ 10⁻⁶).",
                               valueName: "R"))
    var maxNoise: Double?

    @Option(help: ArgumentHelp("kde-mh: burn-in and steps (default 1000, 2000).", valueName: "B,T"))
    var chain: String?

    @Option(help: ArgumentHelp("How noisy vectors become words: exact (default) or hnsw.", valueName: "search"))
    var decoder: DecoderChoice = .exact

    @Option(help: ArgumentHelp("Worker threads (default: all cores).", valueName: "N"))
    var threads = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: ArgumentHelp("Stop each mechanism after the chunk (4,096 lines) that passes this many seconds.",
                               valueName: "seconds"))
    var seconds: Double?

    @Option(help: ArgumentHelp("Lines read and privatized together (smaller: --seconds stops sooner).",
                               valueName: "N"))
    var chunkLines = 4096

    @Flag(help: "Print one JSON object per row instead of the table.")
    var json = false

    func validate() throws {
        guard threads >= 1, chunkLines >= 1 else { throw ValidationError("--threads and --chunk-lines must be at least 1.") }
        if let seconds, !(seconds > 0) { throw ValidationError("--seconds must be greater than 0.") }
    }

    func run() throws {
        try reportingFailures {
            let ((vocabulary, storeWords, path), openSeconds) = try timed { try storeOptions.loadVocabulary() }
            let (index, indexSeconds) = timed { ExactNeighborIndex(store: vocabulary) }
            let bytes = fileSize(corpus) ?? 0
            if !json {
                print("store     \(path) (V = \(storeWords), D = \(vocabulary.dimension), \(vocabulary.count) vocabulary words); "
                      + "open \(fixed(openSeconds, digits: 3)) s, index \(fixed(indexSeconds, digits: 3)) s, "
                      + "peak RSS \(megabytes(peakResidentBytes()))")
                print("corpus    \(corpus) (\(megabytes(bytes))), threads \(threads)")
                print(BenchRow.header)
            }
            for choice in mechanism {
                for epsilon in try epsilons(for: choice, vocabulary: vocabulary, storePath: path) {
                    let (setup, setupSeconds) = try timed {
                        try PrivatizationSetup(
                            vocabulary: vocabulary, index: index, storePath: path,
                            settings: settings(choice, epsilon: epsilon, dimension: vocabulary.dimension),
                            policy: .unk, maskToken: "[MASK]", noise: .seeded(1), format: .text, threads: threads,
                            chunkSize: chunkLines)
                    }
                    var reader = try LineReader(path: corpus)
                    let start = Date()
                    let (counts, runSeconds) = try timed {
                        try setup.pipeline.run(&reader, input: 0, into: DiscardingSink(), stopAfter: { _ in
                            seconds.map { Date().timeIntervalSince(start) > $0 } ?? false
                        })
                    }
                    let row = BenchRow(
                        mechanism: choice.rawValue + (setup.decoder.isExact ? "" : " (hnsw)"), epsilon: epsilon,
                        startupSeconds: openSeconds + indexSeconds + setupSeconds,
                        tokens: counts.tokens, bytes: reader.bytesRead, seconds: runSeconds,
                        changedFraction: Double(counts.replaced) / Double(max(counts.inVocabulary, 1)),
                        peakResidentBytes: peakResidentBytes())
                    print(json ? row.json : row.tableLine)
                }
            }
        }
    }

    /// The ε values `choice` runs at (nil for the identity).
    private func epsilons(for choice: MechanismChoice, vocabulary: EmbeddingStore, storePath: String) throws -> [Double?] {
        switch choice {
        case .identity:
            return [nil]
        case .truncatedGumbel where gumbelMultiple != nil:
            let extent = try VocabularyExtent.cached(
                for: vocabulary, storePath: storePath, cacheFolder: MechanismOptions.defaultCacheFolder)
            let minimum = TruncatedGumbelMechanism.minimumEpsilon(
                wordCount: vocabulary.count, minimumDistance: extent.minimumDistance)
            return [(gumbelMultiple! * minimum).rounded(.up)]
        default:
            return epsilon
        }
    }

    private func settings(_ choice: MechanismChoice, epsilon: Double?, dimension: Int) -> MechanismSettings {
        var settings = MechanismSettings(mechanism: choice, epsilon: epsilon)
        if choice != .identity && choice != .truncatedGumbel { settings.decoder = decoder }
        if choice == .truncatedLaplace, let epsilon {
            settings.maxNoise = maxNoise ?? TruncatedLaplaceMechanism.typicalNoiseCap(dimension: dimension, epsilon: epsilon)
        }
        if choice == .kdeMH, let chain {
            let parts = chain.split(separator: ",").compactMap { Int($0) }
            (settings.burnIn, settings.steps) = (parts.first, parts.last)
        }
        return settings
    }
}

/// Throws the output away: measures everything but the disk.
struct DiscardingSink: OutputSink {
    func write(_ bytes: [UInt8]) throws(PipelineError) {}
    func finish() throws(PipelineError) {}
    func abandon() {}
}
