import ArgumentParser
import DPText
import Foundation

struct SuiteBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "suite",
        abstract: "Measure every mechanism and the identity pass on one corpus; print one table.",
        discussion: """
            Runs `bench privatize` once per row, each in its own process so that start-up \
            time and peak memory are that mechanism's own, for every mechanism of `dptext mechanisms`: \
            the identity pass (reading, tokenizing, writing: the floor); a mechanism whose ε has a \
            minimum on the store (truncated-gumbel) at --gumbel-multiple times it; every other at \
            --epsilon, also at --low-epsilon when its whole useful ε grid lies below --epsilon (tem, \
            santext; diffractor at its grid's largest ε), and with HNSW decoding when it decodes noisy vectors. Slow mechanisms stop after \
            --seconds (the row says how many tokens they covered). One more row runs laplace at \
            --epsilon followed by rank-softmax post-processing with c = --rank-c. Caches (vocabulary extent, neighbour table) are built on first use and \
            excluded from start-up afterwards; run the suite twice for warm numbers. The rows \
            marked (hnsw) decode with the approximate HNSW graph (see `bench hnsw` for its recall). \
            Rows are unseeded, as users run, unless --seed is given.
            """
    )

    @Argument(help: ArgumentHelp("Text file to privatize (one record per line).", valueName: "corpus"))
    var corpus: String

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: ArgumentHelp("ε for every mechanism (but the one below).", valueName: "ε"))
    var epsilon = 10.0

    @Option(help: ArgumentHelp("A mechanism whose ε has a minimum (truncated-gumbel) runs at this multiple of it.",
                               valueName: "m"))
    var gumbelMultiple = 1.05

    @Option(help: ArgumentHelp("Mechanisms whose useful ε lie below --epsilon (tem, santext) also run at this ε "
                               + "(or at the largest of their grid, when it is smaller: diffractor).",
                               valueName: "ε"))
    var lowEpsilon = 4.0

    @Option(help: ArgumentHelp("c of the rank-softmax row (laplace, then rank-softmax; default 0.1, the study's).", valueName: "c"))
    var rankC = 0.1

    @Option(help: ArgumentHelp("Stop each mechanism after the chunk that passes this many seconds.",
                               valueName: "seconds"))
    var seconds = 120.0

    @Option(help: ArgumentHelp("Worker threads (default: all cores).", valueName: "N"))
    var threads = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: ArgumentHelp(
        "Reproducible rows from this seed; default: unseeded (the system CSPRNG), the path users run.",
        valueName: "integer"))
    var seed: UInt64?

    func validate() throws {
        try OptionRanges.requireEpsilon("--epsilon", epsilon)
        try OptionRanges.requireEpsilon("--low-epsilon", lowEpsilon)
        try OptionRanges.require("--gumbel-multiple", gumbelMultiple, in: OptionRanges.multiple)
        try OptionRanges.require("--seconds", seconds, in: OptionRanges.seconds)
        try MechanismOptions.checked(RankSoftmaxPostProcessing.Parameter.c, rankC, flag: "--rank-c")
        try OptionRanges.require("--threads", threads, in: OptionRanges.threads)
    }

    func run() throws {
        try reportingFailures {
            // Post-processing runs after the mechanism's own draw: one row shows its cost.
            let rows = MechanismCatalog.all.flatMap(rows)
                + [["--mechanism", rankSoftmaxLabel, "--epsilon", "\(epsilon)"] + Self.decodingChunks]
            var storeArguments = seed.map { ["--seed", "\($0)"] } ?? []
            if let embeddings = storeOptions.embeddings { storeArguments += ["--embeddings", embeddings] }
            if let limit = storeOptions.vocabLimit { storeArguments += ["--vocab-limit", "\(limit)"] }
            print("corpus    \(corpus) (\(megabytes(fileSize(corpus) ?? 0))), store \(try storeOptions.embeddings ?? BundledStore.locate()), "
                  + "threads \(threads), BLAS \(BLASKernels.coreName), at most \(fixed(seconds, digits: 0)) s per mechanism, "
                  + (seed.map { "seeded (\($0))" } ?? "unseeded"))
            print(BenchRow.header)
            for arguments in rows {
                let row = try measure(["bench", "privatize", corpus, "--json", "--threads", "\(threads)",
                                       "--seconds", "\(seconds)"] + storeArguments + arguments)
                print(row.tableLine)
            }
        }
    }

    /// The suite's rows of a mechanism: at --epsilon (at --gumbel-multiple times its smallest valid ε
    /// when its ε has a vocabulary-dependent minimum), also at --low-epsilon (or its grid's largest ε
    /// when that is smaller) when its whole useful grid lies below --epsilon, and once more with HNSW decoding when it decodes noisy vectors.
    private func rows(_ descriptor: MechanismDescriptor) -> [[String]] {
        let mechanism = ["--mechanism", descriptor.name]
        guard descriptor.takesEpsilon else { return [mechanism] }
        if descriptor.minimumEpsilon != nil { return [mechanism + ["--gumbel-multiple", "\(gumbelMultiple)"]] }
        let chunks = descriptor.cost == .tables ? [] : Self.decodingChunks
        var rows = [mechanism + ["--epsilon", "\(epsilon)"] + chunks]
        if case .values(let grid) = descriptor.epsilonGrid, let largest = grid.max(), largest < epsilon {
            rows.append(mechanism + ["--epsilon", "\(min(lowEpsilon, largest))"] + chunks)
        }
        if descriptor.decodesPoints { rows.append(mechanism + ["--epsilon", "\(epsilon)", "--decoder", "hnsw"] + chunks) }
        return rows
    }

    /// Lines per chunk for mechanisms that decode noisy points: few enough that they stop within
    /// a second or so of --seconds, enough that a chunk's searches fill both threads' query blocks
    /// (16-line chunks cost laplace a third of its rate on the 50k store).
    static let decodingChunks = ["--chunk-lines", "256"]

    /// laplace followed by rank-softmax with c = --rank-c.
    private var rankSoftmaxLabel: String {
        "\(MultivariateLaplaceMechanism.descriptor.name)+\(RankSoftmaxPostProcessing.name):c=\(ParameterRange.format(rankC))"
    }

    /// Runs this executable with `arguments` and decodes the row it prints.
    private func measure(_ arguments: [String]) throws -> BenchRow {
        let process = Process()
        process.executableURL = Bundle.main.executableURL
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let line = String(decoding: data, as: UTF8.self).split(separator: "\n").last,
              let row = try? JSONDecoder().decode(BenchRow.self, from: Data(line.utf8))
        else {
            throw Failure(message: "dptext \(arguments.joined(separator: " ")) failed (status \(process.terminationStatus)); "
                          + "run it on its own to see why.", status: ExitStatus.dataError)
        }
        return row
    }
}
