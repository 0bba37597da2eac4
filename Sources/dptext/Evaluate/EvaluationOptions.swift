import ArgumentParser
import DPText
import Foundation

/// What every evaluation takes: the mechanisms, the ε grid, the seed, the
/// chain length for kde-mh, and the output folder.
struct EvaluationOptions: ParsableArguments {
    @Option(name: .long, parsing: .upToNextOption, help: "Mechanisms to evaluate.")
    var mechanism: [String] = MechanismOptions.names.filter { $0 != "identity" }

    @Option(name: .long, parsing: .upToNextOption, help: "ε grid.")
    var epsilon: [Double] = [1, 5, 10, 20, 30, 50]

    @Option(name: .long, parsing: .upToNextOption, help: ArgumentHelp(
        "truncated-gumbel: also evaluate at these multiples of its smallest valid ε for the store "
            + "(it refuses every ε below that bound).", valueName: "multiple"))
    var gumbelMultiples: [Double] = []

    @Option(help: "Seed: evaluations are reproducible.")
    var seed: UInt64 = 1

    @Option(help: ArgumentHelp("kde-mh burn-in per chain (default: the mechanism's, as privatize runs it).",
                               valueName: "B"))
    var burnIn: Int?

    @Option(help: ArgumentHelp("kde-mh steps after burn-in (default: the mechanism's).", valueName: "T"))
    var steps: Int?

    @Option(help: ArgumentHelp("Folder for results (created if missing).", valueName: "folder"))
    var out: String

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: ArgumentHelp(
        "More privatize options for a mechanism, as NAME=\"OPTIONS\" (e.g. tem=\"--beta 0.01\"); repeatable.",
        valueName: "name=options"))
    var options: [String] = []

    func validate() throws {
        for epsilon in epsilon { try OptionRanges.requireEpsilon("--epsilon", epsilon) }
        for multiple in gumbelMultiples { try OptionRanges.require("--gumbel-multiples", multiple, in: OptionRanges.multiple) }
        if let burnIn { try OptionRanges.require("--burn-in", burnIn, in: 0...1_000_000) }
        if let steps { try OptionRanges.require("--steps", steps, in: 1...1_000_000) }
        for name in mechanism where !MechanismOptions.names.contains(name) {
            throw ValidationError("unknown --mechanism \(name); choose among \(MechanismOptions.names.joined(separator: ", ")).")
        }
        for entry in options where !entry.contains("=") {
            throw ValidationError("--options takes NAME=\"OPTIONS\" (got \(entry)).")
        }
    }

    /// The ε values to evaluate `name` at: the grid, plus for truncated
    /// Gumbel the requested multiples of its smallest valid ε.
    func epsilons(for name: String, resources: VocabularyResources) throws -> [Double] {
        guard let minimumEpsilon = MechanismCatalog.named(name)?.minimumEpsilon, !gumbelMultiples.isEmpty else {
            return epsilon
        }
        let minimum = try minimumEpsilon(resources)
        return epsilon + gumbelMultiples.map { ($0 * minimum * 100).rounded(.up) / 100 }
    }

    /// The mechanism `name` at `epsilon` with its typical parameters
    /// (`MechanismOptions.typical`), kde-mh's chain from `--burn-in` and
    /// `--steps` when given, and `--options` — or the reason it cannot run at this ε.
    func mechanism(_ name: String, epsilon: Double, resources: VocabularyResources) throws
        -> Result<any WordMechanism, TruncatedGumbelError> {
        var extra = options.filter { $0.hasPrefix(name + "=") }
            .flatMap { $0.dropFirst(name.count + 1).split(separator: " ").map(String.init) }
        if name == "kde-mh" {
            extra = (burnIn.map { ["--burn-in", "\($0)"] } ?? []) + (steps.map { ["--steps", "\($0)"] } ?? []) + extra
        }
        let chosen = try MechanismOptions.typical(name, epsilon: epsilon, extra: extra)
        do {
            return .success(try chosen.make(resources: resources, standIns: [resources.outOfVocabularyStandIn]))
        } catch let error as TruncatedGumbelError {
            return .failure(error)
        }
    }

    /// The store's word vocabulary and its shared resources (cached on disk as `privatize` caches them).
    func loadResources(progress: CacheProgress = CacheProgress()) throws
        -> (resources: VocabularyResources, storeWords: Int, path: String) {
        try storeOptions.loadResources(progress: progress)
    }

    /// Creates the output folder.
    func outputFolder() throws -> URL {
        let folder = URL(fileURLWithPath: out)
        do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
            throw Failure(message: "\(out): cannot create the folder (\(error.localizedDescription)).",
                          status: ExitStatus.cannotCreate)
        }
        return folder
    }
}

/// Results kept as JSON and merged across runs: entries with the same key
/// are replaced, others kept.
struct MergedResults<Entry: Codable> {
    let url: URL
    var entries: [Entry]

    init(url: URL) {
        self.url = url
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase  // as `save` encodes
        entries = (try? decoder.decode([Entry].self, from: Data(contentsOf: url))) ?? []
    }

    mutating func replace(_ entry: Entry, matching isSame: (Entry) -> Bool) {
        entries.removeAll(where: isSame)
        entries.append(entry)
    }

    func save() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        try encoder.encode(entries).write(to: url, options: .atomic)
    }
}

/// Writes `rows` (a header first) as CSV, atomically.
func writeCSV(_ rows: [[String]], to url: URL) throws {
    try rows.map { $0.joined(separator: ",") }.joined(separator: "\n").appending("\n")
        .write(to: url, atomically: true, encoding: .utf8)
}

/// `%.6g`, for CSV cells.
func cell(_ value: Double) -> String { String(format: "%.6g", value) }
