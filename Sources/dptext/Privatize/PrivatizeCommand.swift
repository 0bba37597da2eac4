import ArgumentParser
import DPText
import Foundation

struct PrivatizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "privatize",
        abstract: "Rewrite text with a differentially private word mechanism.",
        discussion: """
            Reads files (or standard input: no INPUT, or -) line by line in bounded memory and \
            replaces every vocabulary word with the mechanism's output, keeping all other bytes \
            and each word's casing. Output files are written under a temporary name and renamed \
            when complete; on any error or interrupt no partial output remains.
            """
    )

    @Argument(help: ArgumentHelp("Input files; none or - reads standard input.", valueName: "input"))
    var inputs: [String] = []

    @Option(name: .shortAndLong, help: ArgumentHelp("Output file (default: standard output).", valueName: "path"))
    var output: String?

    @Option(help: ArgumentHelp("Write one output per input into this existing folder, same file names.",
                               valueName: "folder"))
    var outputDir: String?

    @OptionGroup(title: "Mechanism") var mechanismOptions: MechanismOptions

    @Option(help: ArgumentHelp(
        "Reproducible noise from this seed (not private against anyone who knows it). Default: system CSPRNG.",
        valueName: "integer"))
    var seed: UInt64?

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: "Input format: text (every line) or jsonl (one field of every JSON object).")
    var format: FormatChoice = .text

    @Option(help: ArgumentHelp("JSONL: the top-level string field to privatize.", valueName: "name"))
    var field = "text"

    @Option(help: ArgumentHelp(
        "JSONL: a top-level string or integer field that identifies each record. With --seed, each record's noise "
            + "comes from the seed and its key, not its position, so its output does not depend on which file or "
            + "partition holds it. Every key must be unique.", valueName: "name"))
    var recordKey: String?

    @Option(help: ArgumentHelp("Out-of-vocabulary words: unk (privatize a fixed public vector; default), "
        + "mask, drop, or keep (unprotected).", valueName: "policy"))
    var oov: OOVPolicy = .unk

    @Option(help: ArgumentHelp("Placeholder for OOV words under --oov mask.", valueName: "text"))
    var maskToken = "[MASK]"

    @Option(help: ArgumentHelp(
        "A record that cannot be processed (malformed JSONL): fail (default: stop, keep no output) or skip "
            + "(write it unchanged, count it as unprotected and list its line in the report).", valueName: "policy"))
    var onError: RecordErrorPolicy = .fail

    @Option(help: ArgumentHelp(
        "Fail, keeping no output, when more than this fraction of an input's tokens would pass through unprotected "
            + "(OOV words under --oov keep, runs of bytes that are not UTF-8, words of skipped records).",
        valueName: "fraction"))
    var maxUnprotectedFraction = 0.01

    @Option(help: ArgumentHelp(
        "Write a JSON run report here. It is computed from the private input (counts, statistics, timing): "
            + "keep it with the private data.", valueName: "path"))
    var report: String?

    @Option(help: ArgumentHelp(
        "Write a report that depends only on public data and the output (mechanism, parameters, guarantee, "
            + "store digest, output counts): it can be published with the output.", valueName: "path"))
    var reportPublic: String?

    @Option(help: ArgumentHelp("Worker threads, 1–1024 (default: all cores).", valueName: "N"))
    var threads = ProcessInfo.processInfo.activeProcessorCount

    @Flag(help: "Run a mechanism whose claimed guarantee is unverified (truncated-gumbel); its report says so.")
    var allowUnverified = false

    func validate() throws {
        if let reason = mechanismOptions.descriptor.unverifiedBecause, !allowUnverified {
            throw ValidationError("--mechanism \(mechanismOptions.mechanism) has an unverified guarantee: \(reason). "
                                  + "Pass --allow-unverified to run it anyway (its report then says \"unverified\").")
        }
        try OptionRanges.require("--threads", threads, in: OptionRanges.threads)
        guard maxUnprotectedFraction >= 0 && maxUnprotectedFraction <= 1 else {
            throw ValidationError("--max-unprotected-fraction must be between 0 and 1 (got \(maxUnprotectedFraction)).")
        }
        if output != nil && outputDir != nil { throw ValidationError("Use either -o or --output-dir, not both.") }
        if inputs.count > 1 && outputDir == nil {
            throw ValidationError("Several inputs need --output-dir (one output file per input).")
        }
        if outputDir != nil && (inputs.isEmpty || inputs.contains("-")) {
            throw ValidationError("--output-dir needs input files (standard input has no file name).")
        }
        if let recordKey {
            guard format == .jsonl else { throw ValidationError("--record-key needs --format jsonl (it names a field).") }
            guard recordKey != field else {
                throw ValidationError("--record-key must name another field than --field \(field), which is rewritten.")
            }
        }
    }

    func run() throws {
        try reportingFailures {
            InterruptCleanup.install()
            let start = Date()
            let sources = inputs.isEmpty ? ["-"] : inputs
            let targets = try outputTargets(for: sources)
            // Every file is created now (a path that cannot be written fails before any work) and
            // published only when all are complete: the run is all or nothing.
            let files = PublishedTogether()
            do {
                let sinks = try targets.map { try $0.map(files.sink(path:)) ?? StandardOutputSink() }
                let reportSink = try report.map(files.sink(path:))
                let publicReportSink = try reportPublic.map(files.sink(path:))
                try privatize(sources, into: sinks, reportSink: reportSink, publicReportSink: publicReportSink,
                              targets: targets, start: start)
                try files.publish()
            } catch {
                files.abandon()
                throw error
            }
        }
    }

    /// Privatizes every source into its sink, then writes the reports.
    private func privatize(
        _ sources: [String], into sinks: [any OutputSink], reportSink: (any OutputSink)?,
        publicReportSink: (any OutputSink)?, targets: [String?], start: Date
    ) throws {
        let progress = CacheProgress()
        let (resources, storeWords, storePath) = try storeOptions.loadResources(progress: progress)
        let noise: NoiseSource = seed.map { .seeded($0) } ?? .system
        let setup = try PrivatizationSetup(
            resources: resources, options: mechanismOptions, policy: oov, maskToken: maskToken, noise: noise,
            format: format == .text ? .text : .jsonl(field: field), threads: threads,
            onError: onError, maxUnprotectedFraction: maxUnprotectedFraction, recordKey: recordKey)
        progress.finish()

        var counts = RewriteCounts()
        var written = OutputCounts()
        for (index, (source, sink)) in zip(sources, sinks).enumerated() {
            var reader = try source == "-"
                ? LineReader(handle: .standardInput, name: "<stdin>") : LineReader(path: source)
            // Counting the output costs a tokenizer pass: only for the public report.
            let counting = reportPublic.map { _ in CountingSink(sink) }
            let meter = ProgressMeter(total: source == "-" ? nil : fileSize(source))
            let inputCounts = try counting.map { try setup.pipeline.run(&reader, input: index, into: $0,
                                                                        progress: meter.update) }
                ?? setup.pipeline.run(&reader, input: index, into: sink, progress: meter.update)
            meter.finish()
            warnAboutSkipped(inputCounts)
            counts += inputCounts
            written += counting?.counts ?? OutputCounts()
        }
        guard reportSink != nil || publicReportSink != nil else { return }
        let embeddings = RunReport.Embeddings(
            path: storePath, sha256: try sha256Hex(ofFileAt: storePath), storeWords: storeWords,
            vocabulary: setup.vocabulary, vocabLimit: storeOptions.vocabLimit)
        let jsonField = format == .jsonl ? field : nil
        if let reportSink {
            try reportSink.write(RunReport(
                mechanism: setup.mechanism, decoder: setup.decoder, embeddings: embeddings, noise: noise,
                recordKey: recordKey, field: jsonField, format: format.rawValue, oovPolicy: oov, onError: onError,
                inputs: sources.map { $0 == "-" ? "<stdin>" : $0 }, outputs: targets.map { $0 ?? "<stdout>" },
                counts: counts, seconds: Date().timeIntervalSince(start)
            ).json)
            try reportSink.finish()
        }
        if let publicReportSink {
            try publicReportSink.write(PublicRunReport(
                mechanism: setup.mechanism, decoder: setup.decoder, embeddings: embeddings, noise: noise,
                recordKey: recordKey, field: jsonField, format: format.rawValue, oovPolicy: oov, onError: onError,
                output: written
            ).json)
            try publicReportSink.finish()
        }
    }

    /// Names the records `--on-error skip` wrote unchanged, on stderr.
    private func warnAboutSkipped(_ counts: RewriteCounts) {
        guard counts.skippedRecords > 0 else { return }
        var lines = counts.skipped.prefix(10).map { "  \($0.path):\($0.line): \($0.reason)" }
        if counts.skippedRecords > lines.count { lines.append("  … \(counts.skippedRecords - lines.count) more (see --report)") }
        warn("\(counts.skippedRecords) records could not be processed and were written unchanged (unprotected):\n"
             + lines.joined(separator: "\n"))
    }

    /// The output path of each input (nil: standard output), refusing any
    /// target — output or report — that is an input (standard input's file
    /// included), and any two targets that are one file.
    private func outputTargets(for sources: [String]) throws -> [String?] {
        let targets: [String?]
        if let outputDir {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: outputDir, isDirectory: &isDirectory),
                  isDirectory.boolValue else {
                throw Failure(message: "\(outputDir): no such folder. Create it first, or use -o.",
                              status: ExitStatus.cannotCreate)
            }
            targets = sources.map { URL(fileURLWithPath: outputDir).appendingPathComponent(
                URL(fileURLWithPath: $0).lastPathComponent).path }
        } else {
            targets = [output]
        }
        let named = targets.compactMap { $0 } + [report, reportPublic].compactMap { $0 }
        let inputs = sources.map { $0 == "-" ? FileIdentity(descriptor: STDIN_FILENO) : FileIdentity(path: $0) }
        for target in named {
            if let identity = FileIdentity(path: target), inputs.contains(identity) {
                throw PipelineError.outputIsInput(path: target)
            }
        }
        // Two targets are one file when they are one existing file, or one path to be created.
        func sameTarget(_ a: String, _ b: String) -> Bool {
            if let first = FileIdentity(path: a), let second = FileIdentity(path: b) {
                return first == second && !first.isNullDevice
            }
            return resolvedPath(a) == resolvedPath(b)
        }
        let stdout = targets.contains(nil) ? FileIdentity(descriptor: STDOUT_FILENO) : nil
        for (offset, target) in named.enumerated() {
            if let other = named[..<offset].first(where: { sameTarget($0, target) }) {
                throw Failure(message: "\(other) and \(target) are the same file: the run would write two things into "
                              + "one. Give every output and report its own path.", status: ExitStatus.usage)
            }
            if let stdout, !stdout.isNullDevice, FileIdentity(path: target) == stdout {
                throw Failure(message: "\(target) is standard output, where the output goes. Give the report its own "
                              + "file, or write the output with -o.", status: ExitStatus.usage)
            }
        }
        return targets
    }
}
