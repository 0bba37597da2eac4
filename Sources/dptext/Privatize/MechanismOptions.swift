import ArgumentParser
import DPText
import Foundation

/// The mechanisms `--mechanism` selects.
enum MechanismChoice: String, ExpressibleByArgument, CaseIterable {
    case laplace
    case truncatedLaplace = "truncated-laplace"
    case truncatedGumbel = "truncated-gumbel"
    case kdeMH = "kde-mh"
    case identity
}

/// How noisy vectors are decoded to words (`--decoder`).
enum DecoderChoice: String, ExpressibleByArgument, CaseIterable {
    /// Exhaustive search (`ExactNeighborIndex`).
    case exact
    /// An HNSW graph (hnswlib): approximate, decoding only (MECHANISMS.md §8.4).
    case hnsw
}

/// `--mechanism` and every mechanism parameter, and how a mechanism is
/// built from them. A parameter given to a mechanism that does not take it
/// is an error, not silently ignored.
struct MechanismOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Mechanism: \(MechanismChoice.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "name"))
    var mechanism: MechanismChoice = .laplace

    @Option(help: ArgumentHelp("Privacy parameter ε > 0, per unit of embedding distance.", valueName: "ε"))
    var epsilon: Double?

    @Option(help: ArgumentHelp("truncated-laplace: cap the noise norm at R.", valueName: "R"))
    var maxNoise: Double?

    @Option(help: ArgumentHelp("truncated-laplace with --max-noise: condition (default) or clip the radius.",
                               valueName: "variant"))
    var truncation: TruncatedLaplaceMechanism.NormCapVariant?

    @Option(help: ArgumentHelp("truncated-laplace: output only words within D of the input.", valueName: "D"))
    var maxDistance: Double?

    @Option(help: ArgumentHelp("truncated-gumbel: mean of the Poisson candidate count (default ln(V − 1)).",
                               valueName: "μ"))
    var poissonMean: Double?

    @Option(help: ArgumentHelp(
        "Folder for cached extents, neighbour tables and HNSW graphs (default ~/.cache/dptext).", valueName: "folder"))
    var cacheDir: String?

    @Option(help: ArgumentHelp(
        "How noisy vectors become words: exact (default) or hnsw (approximate nearest neighbour, faster; "
            + "privacy unchanged, deniability statistics biased). laplace, truncated-laplace --max-noise, kde-mh.",
        valueName: "search"))
    var decoder: DecoderChoice = .exact

    @Option(help: ArgumentHelp("--decoder hnsw: search beam width (default \(MechanismSettings.defaultHNSWEf)).",
                               valueName: "ef"))
    var hnswEf: Int?

    @Option(help: ArgumentHelp("kde-mh: KDE bandwidth h (default: Scott's rule).", valueName: "h"))
    var bandwidth: Double?

    @Option(help: ArgumentHelp("kde-mh: burn-in steps (default 1000).", valueName: "B"))
    var burnIn: Int?

    @Option(help: ArgumentHelp("kde-mh: steps after burn-in (default 2000).", valueName: "T"))
    var steps: Int?

    @Option(help: ArgumentHelp("kde-mh: random-walk proposal scale σ (default 2.38·min(h, √(D+1)/ε)/√D).", valueName: "σ"))
    var proposalScale: Double?

    @Option(help: ArgumentHelp("kde-mh: vocabulary words nearest the noisy point that carry the KDE (default 100).",
                               valueName: "M"))
    var kdeNeighbors: Int?

    func validate() throws {
        if let epsilon, !(epsilon.isFinite && epsilon > 0) {
            throw ValidationError("--epsilon must be a finite number greater than 0 (got \(epsilon)).")
        }
        let given: [(String, Bool, MechanismChoice)] = [
            ("--max-noise", maxNoise != nil, .truncatedLaplace), ("--truncation", truncation != nil, .truncatedLaplace),
            ("--max-distance", maxDistance != nil, .truncatedLaplace),
            ("--poisson-mean", poissonMean != nil, .truncatedGumbel),
            ("--bandwidth", bandwidth != nil, .kdeMH), ("--burn-in", burnIn != nil, .kdeMH), ("--steps", steps != nil, .kdeMH),
            ("--proposal-scale", proposalScale != nil, .kdeMH), ("--kde-neighbors", kdeNeighbors != nil, .kdeMH),
        ]
        for (option, isGiven, owner) in given where isGiven && mechanism != owner {
            throw ValidationError("\(option) applies to --mechanism \(owner.rawValue), not \(mechanism.rawValue).")
        }
        if mechanism == .truncatedLaplace && (maxNoise == nil) == (maxDistance == nil) {
            throw ValidationError("--mechanism truncated-laplace needs exactly one of --max-noise R or --max-distance D.")
        }
        if truncation != nil && maxNoise == nil {
            throw ValidationError("--truncation goes with --max-noise.")
        }
        if decoder == .hnsw && (mechanism == .identity || mechanism == .truncatedGumbel) {
            throw ValidationError("--decoder hnsw: --mechanism \(mechanism.rawValue) decodes no noisy vectors.")
        }
        if decoder == .hnsw && maxDistance != nil {
            throw ValidationError("--decoder hnsw cannot go with --max-distance: the distance cap needs exact search.")
        }
        if hnswEf != nil && decoder != .hnsw {
            throw ValidationError("--hnsw-ef applies to --decoder hnsw.")
        }
        if let hnswEf, hnswEf < 1 {
            throw ValidationError("--hnsw-ef must be at least 1 (got \(hnswEf)).")
        }
        if mechanism != .identity && epsilon == nil {
            throw ValidationError("--mechanism \(mechanism.rawValue) needs --epsilon (a number > 0).")
        }
    }

    /// The parsed values, as plain data.
    var settings: MechanismSettings {
        MechanismSettings(
            mechanism: mechanism, epsilon: epsilon, maxNoise: maxNoise, truncation: truncation,
            maxDistance: maxDistance, poissonMean: poissonMean, cacheDir: cacheDir, bandwidth: bandwidth,
            burnIn: burnIn, steps: steps, proposalScale: proposalScale, kdeNeighbors: kdeNeighbors,
            decoder: decoder, hnswEf: hnswEf)
    }

    /// `$XDG_CACHE_HOME/dptext`, else `~/.cache/dptext`.
    static var defaultCacheFolder: String {
        let environment = ProcessInfo.processInfo.environment
        let base = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache").path
        return URL(fileURLWithPath: base).appendingPathComponent("dptext").path
    }
}

/// Everything that selects and parameterizes a mechanism, as plain data
/// (built from `MechanismOptions`, or directly by the evaluations and benchmarks).
struct MechanismSettings {
    var mechanism: MechanismChoice
    var epsilon: Double?
    var maxNoise: Double? = nil
    var truncation: TruncatedLaplaceMechanism.NormCapVariant? = nil
    var maxDistance: Double? = nil
    var poissonMean: Double? = nil
    var cacheDir: String? = nil
    var bandwidth: Double? = nil
    var burnIn: Int? = nil
    var steps: Int? = nil
    var proposalScale: Double? = nil
    var kdeNeighbors: Int? = nil
    var decoder: DecoderChoice = .exact
    var hnswEf: Int? = nil

    static let defaultHNSWEf = 128

    /// The neighbour table truncated-gumbel builds, when it is in the cache:
    /// with it, exact decoding skips the full search for points whose nearest
    /// word the input word's neighbourhood proves (`NeighborhoodShortcut`).
    /// Never builds the table; nil for other decoders and mechanisms.
    func makeShortcut(vocabulary: EmbeddingStore, storePath: String?) -> NeighborhoodShortcut? {
        guard decoder == .exact, [.laplace, .truncatedLaplace, .kdeMH].contains(mechanism), let storePath else { return nil }
        let width = TruncatedGumbelMechanism.tableWidth(wordCount: vocabulary.count)
        let folder = cacheDir ?? MechanismOptions.defaultCacheFolder
        let prefix = "neighbor-table-\(width)-"
        guard let files = try? FileManager.default.contentsOfDirectory(atPath: folder),
              files.contains(where: { $0.hasPrefix(prefix) && $0.contains("-\(vocabulary.count)-") }),
              let fingerprint = try? VocabularyFingerprint(store: vocabulary, storePath: storePath),
              let table = NeighborTable.cachedIfPresent(width: width, fingerprint: fingerprint, cacheFolder: folder)
        else { return nil }
        return NeighborhoodShortcut(table: table, store: vocabulary)
    }

    /// What decodes the mechanism's noisy vectors: `index` itself, or an
    /// HNSW graph over the same vocabulary (cached beside the other caches
    /// when the store came from a file).
    func makeDecoder(vocabulary: EmbeddingStore, index: ExactNeighborIndex, storePath: String?) throws -> any NeighborIndex {
        guard decoder == .hnsw else { return index }
        let parameters = HNSWNeighborIndex.Parameters(
            efSearch: hnswEf ?? Self.defaultHNSWEf, insertionThreads: ProcessInfo.processInfo.activeProcessorCount)
        guard let storePath else { return try HNSWNeighborIndex(store: vocabulary, parameters: parameters) }
        if isatty(STDERR_FILENO) == 1 {
            FileHandle.standardError.write(Data("opening the HNSW graph (built and cached on first use) …\n".utf8))
        }
        return try HNSWNeighborIndex.cached(
            store: vocabulary, fingerprint: VocabularyFingerprint(store: vocabulary, storePath: storePath),
            parameters: parameters, cacheFolder: cacheDir ?? MechanismOptions.defaultCacheFolder)
    }

    /// Builds the mechanism over `vocabulary` (the store's single-word
    /// entries), with `index` the exact index over it.
    /// Builds the mechanism over `vocabulary`; `storePath` (the file it came
    /// from) keys truncated Gumbel's extent cache — nil for a store made in
    /// memory, whose extent is then computed without caching.
    ///
    /// - Parameter standIns: public vectors other than words the mechanism
    ///   will privatize (the `--oov unk` stand-in), for bounds that must cover them.
    func make(vocabulary: EmbeddingStore, index: ExactNeighborIndex, storePath: String?,
              standIns: [[Double]] = []) throws -> any WordMechanism {
        switch mechanism {
        case .identity:
            return IdentityMechanism()
        case .laplace:
            return try MultivariateLaplaceMechanism(epsilon: epsilon ?? .nan, store: vocabulary)
        case .truncatedLaplace:
            let cap: TruncatedLaplaceMechanism.Cap = maxNoise.map { .noiseNorm(radius: $0, variant: truncation ?? .condition) }
                ?? .outputDistance(maxDistance!)
            return try TruncatedLaplaceMechanism(epsilon: epsilon ?? .nan, cap: cap, store: vocabulary, standIns: standIns)
        case .truncatedGumbel:
            let width = TruncatedGumbelMechanism.tableWidth(wordCount: vocabulary.count, poissonMean: poissonMean)
            let extentProgress = CacheProgress("computing the vocabulary's smallest and largest distances (cached)")
            let tableProgress = CacheProgress("finding every word's \(width) nearest neighbours (cached)")
            defer { extentProgress.finish(); tableProgress.finish() }
            let (extent, table): (VocabularyExtent, NeighborTable?)
            if let storePath {
                let fingerprint = try VocabularyFingerprint(store: vocabulary, storePath: storePath)
                let folder = cacheDir ?? MechanismOptions.defaultCacheFolder
                extent = try VocabularyExtent.cached(
                    for: vocabulary, fingerprint: fingerprint, cacheFolder: folder, progress: extentProgress.update)
                table = try NeighborTable.cached(
                    index: index, width: width, fingerprint: fingerprint, cacheFolder: folder,
                    progress: tableProgress.update)
            } else {
                (extent, table) = (try VocabularyExtent(store: vocabulary, progress: extentProgress.update), nil)
            }
            return try TruncatedGumbelMechanism(
                epsilon: epsilon ?? .nan, store: vocabulary, extent: extent, poissonMean: poissonMean,
                neighbors: index, table: table)
        case .kdeMH:
            return try KDEMetropolisHastingsMechanism(
                epsilon: epsilon ?? .nan, store: vocabulary, neighbors: index, bandwidth: bandwidth,
                burnIn: burnIn ?? 1000, steps: steps ?? 2000, proposalScale: proposalScale,
                kernelNeighbors: kdeNeighbors ?? 100)
        }
    }

}

/// Progress of a one-off computation whose result is cached, on stderr when it is a terminal.
final class CacheProgress: @unchecked Sendable {
    private let label: String
    private let isEnabled = isatty(STDERR_FILENO) == 1
    private var lastShown = -1

    init(_ label: String) { self.label = label }

    func update(_ fraction: Double) {
        let percent = Int(fraction * 100)
        guard isEnabled, percent != lastShown, !(lastShown < 0 && percent == 100) else { return }
        lastShown = percent
        FileHandle.standardError.write(Data("\r\(label): \(percent)%".utf8))
    }

    func finish() {
        if isEnabled && lastShown >= 0 { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}

extension TruncatedLaplaceMechanism.NormCapVariant: ExpressibleByArgument {}
extension OOVPolicy: ExpressibleByArgument {}

enum FormatChoice: String, ExpressibleByArgument, CaseIterable {
    case text, jsonl
}
extension RecordErrorPolicy: ExpressibleByArgument {}
