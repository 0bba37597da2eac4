import ArgumentParser
import DPText

/// One mechanism's command-line options, and how the mechanism is built
/// from them and the shared vocabulary resources.
///
/// To add a mechanism to the command line: a type conforming to this, in its
/// own file (`<Name>Options.swift`), and its entry in
/// `MechanismOptions.registry` — plus, when it has options, an
/// `@OptionGroup` property for it in `MechanismOptions`.
protocol MechanismOptionGroup: ParsableArguments {
    /// The `--mechanism` names it builds (a family may have several).
    static var names: [String] { get }
    /// Whether the mechanism needs `--epsilon` (default: yes).
    static var needsEpsilon: Bool { get }
    /// Whether it draws noisy vectors to decode, so that `--decoder` applies (default: yes).
    static var decodesPoints: Bool { get }
    /// Why its claimed guarantee is not proven, or nil when it is (default):
    /// `privatize` then runs it only with `--allow-unverified`.
    static var unverifiedBecause: String? { get }
    /// Its numeric options with their parameters (`MechanismParameter`):
    /// values given are checked against their ranges before any work.
    var parameterValues: [(parameter: MechanismParameter, value: Double?)] { get }
    /// Flags of its other options (not numbers) that were given.
    var otherGivenFlags: [String] { get }
    /// The flag of each parameter not spelled `--name` (with `-` for `_`).
    static var flagOverrides: [String: String] { get }
    /// Checks that depend on which of `names` was chosen.
    func check(name: String) throws
    /// What a run of `name` at `epsilon` needs beyond the defaults, as
    /// arguments (evaluations and benchmarks run every mechanism this way).
    static func typicalArguments(name: String, epsilon: Double, dimension: Int) -> [String]
    /// The mechanism `name` with these options.
    func make(name: String, context: MechanismContext) throws -> any WordMechanism
}

extension MechanismOptionGroup {
    static var needsEpsilon: Bool { true }
    static var decodesPoints: Bool { true }
    static var unverifiedBecause: String? { nil }
    var parameterValues: [(parameter: MechanismParameter, value: Double?)] { [] }
    var otherGivenFlags: [String] { [] }
    static var flagOverrides: [String: String] { [:] }

    /// The flags of its options given on the command line (an option given
    /// to another mechanism is an error, not silently ignored).
    var givenFlags: [String] {
        parameterValues.compactMap { $0.value == nil ? nil : Self.flag(for: $0.parameter) } + otherGivenFlags
    }

    /// The flag of `parameter`.
    static func flag(for parameter: MechanismParameter) -> String {
        flagOverrides[parameter.name] ?? "--" + parameter.name.replacingOccurrences(of: "_", with: "-")
    }

    /// Help for `parameter` of mechanism(s) `owner`: meaning, range and default.
    static func help(_ parameter: MechanismParameter, _ owner: String) -> String {
        "\(owner): \(parameter.help)."
    }

    /// `value` as the `Double` a parameter check takes.
    static func number(_ value: Int?) -> Double? { value.map(Double.init) }
    func check(name: String) throws {}
    static func typicalArguments(name: String, epsilon: Double, dimension: Int) -> [String] { [] }
}

/// What a mechanism is built from.
struct MechanismContext {
    /// `--epsilon` (present whenever the mechanism needs it).
    let epsilon: Double
    /// The vocabulary and everything computed from it, shared.
    let resources: VocabularyResources
    /// Public vectors other than words it will privatize (the `--oov unk` stand-in).
    let standIns: [[Double]]
}

/// The flags among `options` whose value was given.
func flagsGiven(_ options: [(flag: String, value: Any?)]) -> [String] {
    options.compactMap { $0.value == nil ? nil : $0.flag }
}
