import ArgumentParser
import DPText
import Foundation

/// `--mechanism`, the options every mechanism shares (ε, decoding, caches),
/// and each mechanism's own option group — the one place mechanisms are
/// registered for `privatize`, `evaluate` and `bench`.
struct MechanismOptions: ParsableArguments {
    /// Every mechanism family, in the order help lists them.
    static let registry: [any MechanismOptionGroup.Type] = [
        LaplaceOptions.self, TruncatedLaplaceOptions.self, TruncatedGumbelOptions.self, KDEMHOptions.self,
        TEMOptions.self, SanTextOptions.self, CusTextOptions.self, MahalanobisOptions.self, VickreyOptions.self,
        IdentityOptions.self,
    ]

    static var names: [String] { registry.flatMap { $0.names } }

    @Option(help: ArgumentHelp("Mechanism: \(MechanismOptions.names.joined(separator: ", ")).", valueName: "name"))
    var mechanism = "laplace"

    @Option(help: ArgumentHelp("The privacy parameter ε, per unit of embedding distance; "
                               + "\(MechanismParameter.epsilon.range.description).", valueName: "ε"))
    var epsilon: Double?

    @Option(help: ArgumentHelp(
        "How noisy vectors become words: exact (default) or hnsw (approximate nearest neighbour, faster; "
            + "privacy unchanged, deniability statistics biased).", valueName: "search"))
    var decoder: DecoderChoice = .exact

    @Option(help: ArgumentHelp("--decoder hnsw: search beam width, 1–\(MechanismOptions.largestHNSWEf) "
                               + "(default \(MechanismOptions.defaultHNSWEf)).", valueName: "ef"))
    var hnswEf: Int?

    // Each mechanism's own options (mechanisms without options need no property).
    @OptionGroup(title: "truncated-laplace") var truncatedLaplace: TruncatedLaplaceOptions
    @OptionGroup(title: "truncated-gumbel") var truncatedGumbel: TruncatedGumbelOptions
    @OptionGroup(title: "kde-mh") var kdeMH: KDEMHOptions
    @OptionGroup(title: "tem") var tem: TEMOptions
    @OptionGroup(title: "santext") var sanText: SanTextOptions
    @OptionGroup(title: "custext") var cusText: CusTextOptions
    @OptionGroup(title: "mahalanobis") var mahalanobis: MahalanobisOptions
    @OptionGroup(title: "vickrey") var vickrey: VickreyOptions

    static let defaultHNSWEf = 128
    static let largestHNSWEf = 100_000

    /// Every registered group, as parsed (a default instance for those without options).
    var groups: [any MechanismOptionGroup] {
        let parsed = Mirror(reflecting: self).children.compactMap { ($0.value as? any MechanismOptionGroupProperty)?.group }
        return Self.registry.map { family in parsed.first { type(of: $0) == family } ?? family.init() }
    }

    /// The chosen mechanism's group.
    var chosen: any MechanismOptionGroup {
        groups.first { type(of: $0).names.contains(mechanism) } ?? LaplaceOptions()
    }

    func validate() throws {
        guard Self.names.contains(mechanism) else {
            throw ValidationError("unknown --mechanism \(mechanism); choose one of \(Self.names.joined(separator: ", ")).")
        }
        if let epsilon { try Self.checked(MechanismParameter.epsilon, epsilon, flag: "--epsilon") }
        let family = type(of: chosen)
        for group in groups where type(of: group) != family {
            if let flag = group.givenFlags.first {
                let owner = type(of: group).names.joined(separator: " or ")
                throw ValidationError("\(flag) applies to --mechanism \(owner), not \(mechanism).")
            }
        }
        for (parameter, value) in chosen.parameterValues {
            if let value { try Self.checked(parameter, value, flag: family.flag(for: parameter)) }
        }
        try chosen.check(name: mechanism)
        if decoder == .hnsw && !family.decodesPoints {
            throw ValidationError("--decoder hnsw: --mechanism \(mechanism) decodes no noisy vectors.")
        }
        if hnswEf != nil && decoder != .hnsw {
            throw ValidationError("--hnsw-ef applies to --decoder hnsw.")
        }
        if let hnswEf, !(1...Self.largestHNSWEf).contains(hnswEf) {
            throw ValidationError("--hnsw-ef must be a whole number in [1, \(Self.largestHNSWEf)] (got \(hnswEf)).")
        }
        if family.needsEpsilon && epsilon == nil {
            throw ValidationError("--mechanism \(mechanism) needs --epsilon (a number > 0).")
        }
    }

    /// Throws a usage error naming `flag` when `value` is outside `parameter`'s range.
    private static func checked(_ parameter: MechanismParameter, _ value: Double, flag: String) throws {
        do { try parameter.check(value) } catch {
            throw ValidationError("\(flag) must be \(parameter.requirement) (got \(value)).")
        }
    }

    /// The command-line flag of the parameter called `name` (for library errors).
    static func flag(forParameter name: String) -> String {
        for family in registry { if let flag = family.flagOverrides[name] { return flag } }
        return "--" + name.replacingOccurrences(of: "_", with: "-")
    }

    /// The mechanism with `name` at `epsilon` and its typical parameters,
    /// plus `extra` arguments — how evaluations and benchmarks build every
    /// mechanism, through the same parsing and checks as `privatize`.
    ///
    /// An option in `extra` replaces a typical one (the last value given wins).
    static func typical(_ name: String, epsilon: Double?, dimension: Int, extra: [String] = []) throws -> MechanismOptions {
        var arguments = ["--mechanism", name]
        if let epsilon, let family = registry.first(where: { $0.names.contains(name) }) {
            arguments += ["--epsilon", "\(epsilon)"] + family.typicalArguments(name: name, epsilon: epsilon, dimension: dimension)
        }
        return try parse(arguments + extra)
    }

    /// The chosen mechanism over `resources`; `standIns` are the public
    /// vectors other than words it will privatize (the `--oov unk` stand-in).
    func make(resources: VocabularyResources, standIns: [[Double]] = []) throws -> any WordMechanism {
        try chosen.make(name: mechanism, context: MechanismContext(
            epsilon: epsilon ?? .nan, resources: resources, standIns: standIns))
    }

    /// What decodes the mechanism's noisy vectors: the exact index, or the
    /// vocabulary's HNSW graph (cached like the other resources).
    func makeDecoder(resources: VocabularyResources) throws -> any NeighborIndex {
        guard decoder == .hnsw else { return resources.index }
        if isatty(STDERR_FILENO) == 1 {
            FileHandle.standardError.write(Data("opening the HNSW graph (built and cached on first use) …\n".utf8))
        }
        return try resources.hnsw(parameters: HNSWNeighborIndex.Parameters(
            efSearch: hnswEf ?? Self.defaultHNSWEf, insertionThreads: ProcessInfo.processInfo.activeProcessorCount))
    }

    /// With exact decoding, the shortcut that decodes a point near its input
    /// word from the word's neighbour list when the triangle inequality
    /// proves the answer (`NeighborhoodShortcut`) — when that table is
    /// already built or cached; never builds it.
    func makeShortcut(resources: VocabularyResources) -> NeighborhoodShortcut? {
        guard decoder == .exact, type(of: chosen).decodesPoints,
              let table = resources.neighborTableIfAvailable(
                width: NeighborTable.standardWidth(wordCount: resources.vocabulary.count))
        else { return nil }
        return NeighborhoodShortcut(table: table, store: resources.vocabulary)
    }
}

/// An `@OptionGroup` property holding a mechanism's options, found by `MechanismOptions.groups`.
private protocol MechanismOptionGroupProperty {
    var group: any MechanismOptionGroup { get }
}

extension OptionGroup: MechanismOptionGroupProperty where Value: MechanismOptionGroup {
    fileprivate var group: any MechanismOptionGroup { wrappedValue }
}

/// How noisy vectors are decoded to words (`--decoder`).
enum DecoderChoice: String, ExpressibleByArgument, CaseIterable {
    /// Exhaustive search (`ExactNeighborIndex`).
    case exact
    /// An HNSW graph (hnswlib): approximate, decoding only (MECHANISMS.md §8.4).
    case hnsw
}

extension OOVPolicy: ExpressibleByArgument {}
extension RecordErrorPolicy: ExpressibleByArgument {}

enum FormatChoice: String, ExpressibleByArgument, CaseIterable {
    case text, jsonl
}
