import ArgumentParser
import DPText
import Foundation

/// What every evaluation takes: the mechanisms, the ε grid, the seed,
/// options per mechanism, and the output folder.
struct EvaluationOptions: ParsableArguments {
    @Option(name: .long, parsing: .upToNextOption, help: ArgumentHelp(
        "Mechanisms to evaluate (default: every one with a guarantee); NAME+rank-softmax[:c=C] evaluates NAME "
            + "followed by rank-softmax post-processing.", valueName: "name"))
    var mechanism: [String] = MechanismCatalog.privatizing.map(\.name)

    @Option(name: .long, parsing: .upToNextOption, help: ArgumentHelp(
        "ε grid (default: each mechanism's own grid, `dptext mechanisms`).", valueName: "ε"))
    var epsilon: [Double] = []

    @Option(name: .long, parsing: .upToNextOption, help: ArgumentHelp(
        "A mechanism whose ε has a minimum on the store (truncated-gumbel): also evaluate it at these multiples "
            + "of that minimum (it refuses every ε below).", valueName: "multiple"))
    var gumbelMultiples: [Double] = []

    @Option(help: "Seed: evaluations are reproducible.")
    var seed: UInt64 = 1

    @Option(help: ArgumentHelp("Folder for results (created if missing).", valueName: "folder"))
    var out: String

    @OptionGroup var storeOptions: StoreOptions

    @OptionGroup var options: MechanismExtraOptions

    func validate() throws {
        for epsilon in epsilon { try OptionRanges.requireEpsilon("--epsilon", epsilon) }
        for multiple in gumbelMultiples { try OptionRanges.require("--gumbel-multiples", multiple, in: OptionRanges.multiple) }
        for name in mechanism { try MechanismOptions.validateLabel(name) }
    }

    /// The ε values to evaluate the mechanism labelled `name` at: the grid
    /// (the mechanism's own when none is given), plus for a mechanism whose
    /// ε has a minimum the requested multiples of that minimum.
    func epsilons(for name: String, resources: VocabularyResources) throws -> [Double] {
        let descriptor = MechanismOptions.descriptor(ofLabel: name)
        let grid = epsilon.isEmpty ? try descriptor.epsilons(on: resources) : epsilon
        guard let minimumEpsilon = descriptor.minimumEpsilon, !gumbelMultiples.isEmpty else { return grid }
        let minimum = try minimumEpsilon(resources)
        return grid + gumbelMultiples.map { ($0 * minimum * 100).rounded(.up) / 100 }
    }

    /// The mechanism `name` at `epsilon` with its defaults and its `--options`
    /// — or the reason it cannot run at this ε.
    func mechanism(_ name: String, epsilon: Double, resources: VocabularyResources) throws
        -> Result<any WordMechanism, MechanismError> {
        let chosen = try MechanismOptions.typical(
            name, epsilon: epsilon, extra: options.arguments(for: MechanismOptions.descriptor(ofLabel: name).name))
        do {
            return .success(try chosen.make(resources: resources, standIns: [resources.outOfVocabularyStandIn]))
        } catch let error as MechanismError {
            guard case .epsilonBelowMinimum = error else { throw error }
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
