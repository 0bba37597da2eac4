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
            process, as `bench suite` does, to see each one's own). Unseeded (the system CSPRNG, as users run) unless --seed is given.
            """
    )

    @Argument(help: ArgumentHelp("Text file to privatize (one record per line).", valueName: "corpus"))
    var corpus: String

    @OptionGroup var storeOptions: StoreOptions

    @Option(name: .long, parsing: .upToNextOption, help: "Mechanisms to measure (typical parameters).")
    var mechanism: [String] = ["identity", "laplace"]

    @Option(name: .long, parsing: .upToNextOption, help: "ε values (every mechanism that takes one is run at each).")
    var epsilon: [Double] = [10]

    @Option(help: ArgumentHelp("A mechanism whose ε has a minimum on the store (truncated-gumbel) runs at this "
                               + "multiple of it instead of --epsilon.", valueName: "m"))
    var gumbelMultiple: Double?

    @Option(help: ArgumentHelp("How noisy vectors become words: exact (default) or hnsw.", valueName: "search"))
    var decoder: DecoderChoice = .exact

    @OptionGroup var options: MechanismExtraOptions

    @Option(help: ArgumentHelp(
        "Reproducible noise from this seed; default: the system CSPRNG, as users run.", valueName: "integer"))
    var seed: UInt64?

    @Option(help: ArgumentHelp(
        "Principal coordinates that screen words in exact search (0: brute force; default: the index's choice).",
        valueName: "m"))
    var screeningDepth: Int?

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
        try OptionRanges.require("--threads", threads, in: OptionRanges.threads)
        try OptionRanges.require("--chunk-lines", chunkLines, in: 1...1_000_000)
        for epsilon in epsilon { try OptionRanges.requireEpsilon("--epsilon", epsilon) }
        if let gumbelMultiple { try OptionRanges.require("--gumbel-multiple", gumbelMultiple, in: OptionRanges.multiple) }
        if let screeningDepth { try OptionRanges.require("--screening-depth", screeningDepth, in: 0...4096) }
        if let seconds { try OptionRanges.require("--seconds", seconds, in: OptionRanges.seconds) }
        for name in mechanism { try MechanismOptions.validateLabel(name) }
    }

    func run() throws {
        try reportingFailures {
            let progress = CacheProgress()
            let ((resources, storeWords, path), openSeconds) = try timed {
                try storeOptions.loadResources(progress: progress, screeningDepth: screeningDepth)
            }
            let vocabulary = resources.vocabulary
            let indexSeconds = 0.0  // the exact index is built with the resources
            let bytes = fileSize(corpus) ?? 0
            if !json {
                print("store     \(path) (V = \(storeWords), D = \(vocabulary.dimension), \(vocabulary.count) vocabulary words); "
                      + "open \(fixed(openSeconds, digits: 3)) s, peak RSS \(megabytes(peakResidentBytes()))")
                print("corpus    \(corpus) (\(megabytes(bytes))), threads \(threads), BLAS \(BLASKernels.coreName), "
                      + (seed.map { "seeded (\($0))" } ?? "unseeded (system CSPRNG)"))
                print(BenchRow.header)
            }
            for name in mechanism {
                for epsilon in try epsilons(for: name, resources: resources) {
                    let (setup, setupSeconds) = try timed {
                        try PrivatizationSetup(
                            resources: resources, options: try mechanismOptions(name, epsilon: epsilon, dimension: vocabulary.dimension),
                            policy: .unk, maskToken: "[MASK]", noise: seed.map { .seeded($0) } ?? .system, format: .text,
                            threads: threads, chunkSize: chunkLines, maxUnprotectedFraction: nil)
                    }
                    progress.finish()
                    var reader = try LineReader(path: corpus)
                    let start = Date()
                    let (counts, runSeconds) = try timed {
                        try setup.pipeline.run(&reader, input: 0, into: DiscardingSink(), stopAfter: { _ in
                            seconds.map { Date().timeIntervalSince(start) > $0 } ?? false
                        })
                    }
                    let row = BenchRow(
                        mechanism: name + (setup.decoder.isExact ? "" : " (hnsw)"), epsilon: epsilon,
                        startupSeconds: openSeconds + indexSeconds + setupSeconds,
                        tokens: counts.tokens, bytes: reader.bytesRead, seconds: runSeconds,
                        changedFraction: Double(counts.replaced) / Double(max(counts.inVocabulary, 1)),
                        unprotectedFraction: counts.unprotectedFraction, seeded: seed != nil,
                        peakResidentBytes: peakResidentBytes())
                    print(json ? row.json : row.tableLine)
                }
            }
        }
    }

    /// The ε values `name` runs at (nil for a mechanism without ε).
    private func epsilons(for name: String, resources: VocabularyResources) throws -> [Double?] {
        let descriptor = MechanismOptions.descriptor(ofLabel: name)
        guard descriptor.takesEpsilon else { return [nil] }
        if let minimumEpsilon = descriptor.minimumEpsilon, let gumbelMultiple {
            return [(gumbelMultiple * (try minimumEpsilon(resources))).rounded(.up)]
        }
        return epsilon
    }

    /// `name` at `epsilon` with its typical parameters, this command's overrides and `--options`.
    private func mechanismOptions(_ name: String, epsilon: Double?, dimension: Int) throws -> MechanismOptions {
        let decoding = MechanismOptions.descriptor(ofLabel: name).decodesPoints ? ["--decoder", decoder.rawValue] : []
        return try MechanismOptions.typical(
            name, epsilon: epsilon,
            extra: decoding + options.arguments(for: MechanismOptions.descriptor(ofLabel: name).name))
    }
}

/// Throws the output away: measures everything but the disk.
struct DiscardingSink: OutputSink {
    func write(_ bytes: [UInt8]) throws(PipelineError) {}
    func finish() throws(PipelineError) {}
    func abandon() {}
}
