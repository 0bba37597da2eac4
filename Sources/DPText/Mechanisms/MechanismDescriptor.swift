/// What the tools and tests know about a mechanism without building it:
/// its name, what it claims, its parameters, where its ε is useful, how
/// costly it is — and how to build it. Each mechanism's file declares its
/// descriptor beside its math; `MechanismCatalog` lists them, and the
/// command line, `bench`, `evaluate`, the audit, the golden and property
/// tests and the study iterate over that list.
public struct MechanismDescriptor: Sendable {
    /// The name users select it by (`--mechanism`).
    public let name: String
    /// What it does, in one line.
    public let summary: String
    /// The kind of guarantee it gives for every valid setting (`PrivacyGuarantee.kind`).
    public let guaranteeKind: String
    /// Why its claimed guarantee is not proven (nil: it is): `privatize` runs
    /// it only when asked to (`--allow-unverified`).
    public let unverifiedBecause: String?
    /// Whether it takes ε (every mechanism but the identity).
    public let takesEpsilon: Bool
    /// Its own parameters besides ε.
    public let parameters: [MechanismParameter]
    /// Its settings that are not numbers, with their allowed values (first: the default).
    public let choices: [String: [String]]
    /// Whether it draws noisy vectors to decode, so that the decoder (exact or HNSW) matters.
    public let decodesPoints: Bool
    /// ε values where it is worth evaluating: on the bundled GloVe store its
    /// median N_w spans about 0.1 to 0.9 over them.
    public let epsilonGrid: EpsilonGrid
    /// How its cost per token behaves (for benchmarks' batch sizes and expectations).
    public let cost: Cost
    /// The smallest ε it accepts on a vocabulary, when that depends on the vocabulary (nil: any ε in range).
    public let minimumEpsilon: (@Sendable (_ resources: VocabularyResources) throws -> Double)?
    /// Builds it with `settings` (defaults for what is not given).
    public let make: @Sendable (_ settings: MechanismSettings) throws -> any WordMechanism

    public init(
        name: String, summary: String, guaranteeKind: String, unverifiedBecause: String? = nil, takesEpsilon: Bool = true,
        parameters: [MechanismParameter] = [], choices: [String: [String]] = [:], decodesPoints: Bool,
        epsilonGrid: EpsilonGrid, cost: Cost,
        minimumEpsilon: (@Sendable (_ resources: VocabularyResources) throws -> Double)? = nil,
        make: @escaping @Sendable (_ settings: MechanismSettings) throws -> any WordMechanism
    ) {
        self.minimumEpsilon = minimumEpsilon
        (self.name, self.summary, self.guaranteeKind, self.unverifiedBecause) = (name, summary, guaranteeKind, unverifiedBecause)
        (self.takesEpsilon, self.parameters, self.choices, self.decodesPoints) = (takesEpsilon, parameters, choices, decodesPoints)
        (self.epsilonGrid, self.cost, self.make) = (epsilonGrid, cost, make)
    }

    /// The ε values of `epsilonGrid` on `resources`' vocabulary.
    public func epsilons(on resources: VocabularyResources) throws -> [Double] {
        switch epsilonGrid {
        case .values(let values): return values
        case .none: return []
        case .multiplesOfMinimum(let multiples):
            guard let minimumEpsilon else { return [] }
            let minimum = try minimumEpsilon(resources)
            return multiples.map { ($0 * minimum * 100).rounded(.up) / 100 }
        }
    }

    /// Where a mechanism's ε is useful.
    public enum EpsilonGrid: Sendable, Equatable {
        /// These ε values.
        case values([Double])
        /// These multiples of the smallest ε the mechanism accepts on a store
        /// (a mechanism whose ε has a lower bound that depends on the vocabulary).
        case multiplesOfMinimum([Double])
        /// No ε (the identity).
        case none
    }

    /// How the cost of a token behaves.
    public enum Cost: String, Sendable, Codable {
        /// A draw from tables built once (the exponential-mechanism family).
        case tables
        /// A noisy vector and an exact nearest-word search.
        case decoding
        /// A noisy vector, a search and an MCMC chain per token.
        case chain
        /// Nothing to compute (the identity).
        case none
    }
}

/// What a mechanism is built from: ε, the values given for its parameters
/// and choices (defaults for the rest), and the shared vocabulary resources.
public struct MechanismSettings: Sendable {
    /// ε (nil only for a mechanism that takes none).
    public var epsilon: Double?
    /// Values given for parameters, by parameter name.
    public var values: [String: Double]
    /// Values given for choices, by name.
    public var choices: [String: String]
    public let resources: VocabularyResources
    /// Public vectors other than words the mechanism will privatize (the `--oov unk` stand-in).
    public let standIns: [[Double]]

    public init(epsilon: Double?, values: [String: Double] = [:], choices: [String: String] = [:],
                resources: VocabularyResources, standIns: [[Double]] = []) {
        (self.epsilon, self.values, self.choices, self.resources, self.standIns) = (epsilon, values, choices, resources, standIns)
    }

    /// The value given for `parameter`, else its default (nil when it has no fixed one).
    public func value(_ parameter: MechanismParameter) -> Double? {
        values[parameter.name] ?? parameter.defaultValue
    }

    /// ε, which a mechanism that takes one is always built with.
    func requiredEpsilon() throws(MechanismError) -> Double {
        guard let epsilon else {
            throw .invalidParameter(name: "epsilon", requirement: MechanismParameter.epsilon.requirement, value: .nan)
        }
        return epsilon
    }

    /// The whole-number value of `parameter` (given or default), checked against its range first.
    func integer(_ parameter: MechanismParameter) throws(MechanismError) -> Int? {
        guard let value = value(parameter) else { return nil }
        return Int(try parameter.check(value))
    }

    /// The vocabulary.
    var store: EmbeddingStore { resources.vocabulary }
}
