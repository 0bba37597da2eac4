import ArgumentParser
import DPText
import Foundation

/// `--mechanism`, the options every mechanism shares (ε, decoding), and
/// each mechanism's own option group. The mechanisms are the library's
/// `MechanismCatalog`; a mechanism with options of its own adds its group
/// as a property below (found by reflection, so nothing else lists it).
struct MechanismOptions: ParsableArguments {
    static var names: [String] { MechanismCatalog.names }

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

    @Option(help: ArgumentHelp(
        "Post-processing after the mechanism: none (default) or rank-softmax (output the word of rank r around the "
            + "mechanism's word, P(r) ∝ exp(−c·ε·r); the guarantee is unchanged).", valueName: "step"))
    var postProcess: PostProcessChoice = .none

    @Option(help: ArgumentHelp("--post-process rank-softmax: c, "
                               + "\(RankSoftmaxPostProcessing.Parameter.c.range.description) "
                               + "(default \(ParameterRange.format(RankSoftmaxPostProcessing.Parameter.c.defaultValue!))).",
                               valueName: "c"))
    var rankC: Double?

    // Each mechanism's own options (mechanisms without options need no property).
    @OptionGroup(title: "truncated-laplace") var truncatedLaplace: TruncatedLaplaceOptions
    @OptionGroup(title: "truncated-gumbel") var truncatedGumbel: TruncatedGumbelOptions
    @OptionGroup(title: "kde-mh") var kdeMH: KDEMHOptions
    @OptionGroup(title: "tem") var tem: TEMOptions
    @OptionGroup(title: "santext-plus") var sanTextPlus: SanTextPlusOptions
    @OptionGroup(title: "custext") var cusText: CusTextOptions
    @OptionGroup(title: "mahalanobis") var mahalanobis: MahalanobisOptions
    @OptionGroup(title: "vickrey") var vickrey: VickreyOptions
    @OptionGroup(title: "diffractor") var diffractor: DiffractorOptions

    static let defaultHNSWEf = 128
    static let largestHNSWEf = 100_000

    /// Every option group type, from the properties above.
    static let groupTypes: [any MechanismOptionGroup.Type] = Mirror(reflecting: MechanismOptions()).children.compactMap {
        (type(of: $0.value) as? any MechanismOptionGroupProperty.Type)?.groupType
    }

    /// Every option group, as parsed.
    var groups: [any MechanismOptionGroup] {
        Mirror(reflecting: self).children.compactMap { ($0.value as? any MechanismOptionGroupProperty)?.group }
    }

    /// The chosen mechanism.
    var descriptor: MechanismDescriptor { MechanismCatalog.named(mechanism) ?? MultivariateLaplaceMechanism.descriptor }

    /// The chosen mechanism's option group, if it has options.
    var chosen: (any MechanismOptionGroup)? {
        groups.first { type(of: $0).mechanisms.contains(mechanism) }
    }

    func validate() throws {
        guard Self.names.contains(mechanism) else {
            throw ValidationError("unknown --mechanism \(mechanism); choose one of \(Self.names.joined(separator: ", ")).")
        }
        if let epsilon { try Self.checked(MechanismParameter.epsilon, epsilon, flag: "--epsilon") }
        for group in groups where !type(of: group).mechanisms.contains(mechanism) {
            if let flag = group.givenFlags.first {
                let owner = type(of: group).mechanisms.joined(separator: " or ")
                throw ValidationError("\(flag) applies to --mechanism \(owner), not \(mechanism).")
            }
        }
        if let chosen {
            for (parameter, value) in chosen.parameterValues {
                if let value { try Self.checked(parameter, value, flag: type(of: chosen).flag(for: parameter)) }
            }
            try chosen.check(name: mechanism)
        }
        if decoder == .hnsw && !descriptor.decodesPoints {
            throw ValidationError("--decoder hnsw: --mechanism \(mechanism) decodes no noisy vectors.")
        }
        if hnswEf != nil && decoder != .hnsw {
            throw ValidationError("--hnsw-ef applies to --decoder hnsw.")
        }
        if let hnswEf, !(1...Self.largestHNSWEf).contains(hnswEf) {
            throw ValidationError("--hnsw-ef must be a whole number in [1, \(Self.largestHNSWEf)] (got \(hnswEf)).")
        }
        if let rankC {
            guard postProcess == .rankSoftmax else { throw ValidationError("--rank-c applies to --post-process rank-softmax.") }
            try Self.checked(RankSoftmaxPostProcessing.Parameter.c, rankC, flag: "--rank-c")
        }
        if postProcess != .none && !descriptor.takesEpsilon {
            throw ValidationError("--post-process \(postProcess.rawValue) needs a mechanism with a guarantee and an ε "
                                  + "(not \(mechanism)).")
        }
        if descriptor.takesEpsilon && epsilon == nil {
            throw ValidationError("--mechanism \(mechanism) needs --epsilon (a number > 0).")
        }
    }

    /// Throws a usage error naming `flag` when `value` is outside `parameter`'s range.
    static func checked(_ parameter: MechanismParameter, _ value: Double, flag: String) throws {
        do { try parameter.check(value) } catch {
            throw ValidationError("\(flag) must be \(parameter.requirement) (got \(value)).")
        }
    }

    /// The command-line flag of the parameter called `name` (for library errors).
    static func flag(forParameter name: String) -> String {
        for group in groupTypes { if let flag = group.flagOverrides[name] { return flag } }
        return "--" + name.replacingOccurrences(of: "_", with: "-")
    }

    /// The mechanism `name` at `epsilon` with its defaults, plus `extra`
    /// arguments — how evaluations and benchmarks build every mechanism,
    /// through the same parsing and checks as `privatize`.
    static func typical(_ name: String, epsilon: Double?, extra: [String] = []) throws -> MechanismOptions {
        try parse((arguments(forLabel: name) ?? ["--mechanism", name]) + (epsilon.map { ["--epsilon", "\($0)"] } ?? []) + extra)
    }

    /// The chosen mechanism over `resources`; `standIns` are the public
    /// vectors other than words it will privatize (the `--oov unk` stand-in).
    func make(resources: VocabularyResources, standIns: [[Double]] = []) throws -> any WordMechanism {
        var values: [String: Double] = [:]
        for (parameter, value) in chosen?.parameterValues ?? [] { values[parameter.name] = value }
        let mechanism = try descriptor.make(MechanismSettings(
            epsilon: epsilon, values: values, choices: chosen?.choiceValues ?? [:], resources: resources,
            standIns: standIns))
        switch postProcess {
        case .none: return mechanism
        case .rankSoftmax:
            return try RankSoftmaxPostProcessing(
                base: mechanism, c: rankC ?? RankSoftmaxPostProcessing.Parameter.c.defaultValue!, resources: resources)
        }
    }

    /// The name evaluations and benchmarks label the built mechanism with:
    /// the mechanism, then its post-processing with its c
    /// (`laplace+rank-softmax:c=0.5`). `typical` accepts it back.
    var label: String {
        switch postProcess {
        case .none: return mechanism
        case .rankSoftmax:
            let c = rankC ?? RankSoftmaxPostProcessing.Parameter.c.defaultValue!
            return "\(mechanism)+\(RankSoftmaxPostProcessing.name):c=\(ParameterRange.format(c))"
        }
    }

    /// The catalog entry of the mechanism `label` starts with (a checked label).
    static func descriptor(ofLabel label: String) -> MechanismDescriptor {
        MechanismCatalog.named(arguments(forLabel: label)?[1] ?? label) ?? MultivariateLaplaceMechanism.descriptor
    }

    /// Throws a usage error unless `label` selects a mechanism (see `arguments(forLabel:)`).
    static func validateLabel(_ label: String, flag: String = "--mechanism") throws {
        guard arguments(forLabel: label) == nil else { return }
        throw ValidationError("unknown \(flag) \(label); choose among \(names.joined(separator: ", ")), "
                              + "each optionally followed by +\(RankSoftmaxPostProcessing.name)[:c=C].")
    }

    /// The arguments that select `label` (`name`, `name+rank-softmax` or
    /// `name+rank-softmax:c=C`), or nil when it names no mechanism.
    static func arguments(forLabel label: String) -> [String]? {
        let suffix = "+" + RankSoftmaxPostProcessing.name
        guard let range = label.range(of: suffix) else { return names.contains(label) ? ["--mechanism", label] : nil }
        let base = String(label[..<range.lowerBound]), rest = label[range.upperBound...]
        guard names.contains(base) else { return nil }
        var arguments = ["--mechanism", base, "--post-process", RankSoftmaxPostProcessing.name]
        if rest.isEmpty { return arguments }
        guard rest.hasPrefix(":c="), Double(rest.dropFirst(3)) != nil else { return nil }
        arguments += ["--rank-c", String(rest.dropFirst(3))]
        return arguments
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
        guard decoder == .exact, descriptor.decodesPoints,
              let table = resources.neighborTableIfAvailable(
                width: NeighborTable.standardWidth(wordCount: resources.vocabulary.count))
        else { return nil }
        return NeighborhoodShortcut(table: table, store: resources.vocabulary)
    }
}

/// An `@OptionGroup` property holding a mechanism's options, found by `MechanismOptions.groups`.
private protocol MechanismOptionGroupProperty {
    var group: any MechanismOptionGroup { get }
    static var groupType: any MechanismOptionGroup.Type { get }
}

extension OptionGroup: MechanismOptionGroupProperty where Value: MechanismOptionGroup {
    fileprivate var group: any MechanismOptionGroup { wrappedValue }
    fileprivate static var groupType: any MechanismOptionGroup.Type { Value.self }
}

/// What follows the mechanism (`--post-process`).
enum PostProcessChoice: String, ExpressibleByArgument, CaseIterable {
    case none
    /// `RankSoftmaxPostProcessing`.
    case rankSoftmax = "rank-softmax"
}

/// How noisy vectors are decoded to words (`--decoder`).
enum DecoderChoice: String, ExpressibleByArgument, CaseIterable {
    /// Exhaustive search (`ExactNeighborIndex`).
    case exact
    /// An HNSW graph (hnswlib): approximate, decoding only (Mechanisms.md §8.4).
    case hnsw
}

extension OOVPolicy: ExpressibleByArgument {}
extension RecordErrorPolicy: ExpressibleByArgument {}

enum FormatChoice: String, ExpressibleByArgument, CaseIterable {
    case text, jsonl
}
