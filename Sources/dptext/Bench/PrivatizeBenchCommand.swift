import ArgumentParser
import DPText
import Foundation

struct PrivatizeBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "privatize",
        abstract: "Measure privatization throughput and memory on a text file.",
        discussion: """
            Opens the store (timed: start-up), then privatizes the whole corpus with each \
            requested mechanism, writing to nowhere, and prints one row per mechanism: \
            seconds, tokens/s, MB/s, the fraction of vocabulary words changed, and the \
            process's peak resident memory so far. Seeded, so runs are comparable.
            """
    )

    @Argument(help: ArgumentHelp("Text file to privatize (one record per line).", valueName: "corpus"))
    var corpus: String

    @OptionGroup var storeOptions: StoreOptions

    @Option(name: .long, parsing: .upToNextOption, help: "Mechanisms to measure (default parameters).")
    var mechanism: [MechanismChoice] = [.identity, .laplace]

    @Option(name: .long, parsing: .upToNextOption, help: "ε values (every mechanism that takes one is run at each).")
    var epsilon: [Double] = [10]

    @Option(help: ArgumentHelp("truncated-laplace: the noise-norm cap R (default: n/ε + 5√n/ε, δ ≈ 10⁻⁶).",
                               valueName: "R"))
    var maxNoise: Double?

    @Option(help: ArgumentHelp("kde-mh: burn-in and steps (default 1000, 2000).", valueName: "B,T"))
    var chain: String?

    @Option(help: ArgumentHelp("Worker threads (default: all cores).", valueName: "N"))
    var threads = ProcessInfo.processInfo.activeProcessorCount

    func run() throws {
        try reportingFailures {
            let ((store, path), openSeconds) = try timed { try storeOptions.load() }
            let ((vocabulary, index), indexSeconds) = try timed { try PrivatizationSetup.prepare(store) }
            let bytes = fileSize(corpus) ?? 0
            print("store     \(path) (V = \(store.count), D = \(store.dimension)); open \(fixed(openSeconds, digits: 3)) s, "
                  + "vocabulary \(vocabulary.count) words + index \(fixed(indexSeconds, digits: 3)) s, peak RSS \(megabytes(peakResidentBytes()))")
            print("corpus    \(corpus) (\(megabytes(bytes))), threads \(threads)")
            print("mechanism            ε   setup s     seconds     tokens/s      MB/s  changed   peak RSS")
            for choice in mechanism {
                for epsilon in choice == .identity ? [nil] : epsilon.map(Optional.some) {
                    var options = MechanismSettings(mechanism: choice, epsilon: epsilon)
                    if choice == .truncatedLaplace, let epsilon {
                        options.maxNoise = maxNoise
                            ?? TruncatedLaplaceMechanism.typicalNoiseCap(dimension: store.dimension, epsilon: epsilon)
                    }
                    if choice == .kdeMH, let chain {
                        let parts = chain.split(separator: ",").compactMap { Int($0) }
                        (options.burnIn, options.steps) = (parts.first, parts.last)
                    }
                    let (setup, setupSeconds) = try timed {
                        try PrivatizationSetup(
                            store: store, storePath: path, settings: options, policy: .unk, maskToken: "[MASK]",
                            noise: .seeded(1), format: .text, threads: threads, prepared: (vocabulary, index))
                    }
                    var reader = try LineReader(path: corpus)
                    let (counts, seconds) = try timed {
                        try setup.pipeline.run(&reader, input: 0, into: DiscardingSink())
                    }
                    let changed = Double(counts.replaced) / Double(max(counts.inVocabulary, 1))
                    print(leftAligned(choice.rawValue, 17)
                          + rightAligned(epsilon.map { fixed($0, digits: 1) } ?? "-", 6)
                          + rightAligned(fixed(setupSeconds, digits: 2), 10)
                          + rightAligned(fixed(seconds, digits: 2), 12)
                          + rightAligned(fixed(Double(counts.tokens) / seconds, digits: 0), 13)
                          + rightAligned(fixed(Double(bytes) / 1e6 / seconds, digits: 2), 10)
                          + rightAligned(fixed(100 * changed, digits: 1) + "%", 9)
                          + rightAligned(megabytes(peakResidentBytes()), 11))
                }
            }
        }
    }
}

/// Throws the output away: measures everything but the disk.
struct DiscardingSink: OutputSink {
    func write(_ bytes: [UInt8]) throws(PipelineError) {}
    func finish() throws(PipelineError) {}
    func abandon() {}
}
