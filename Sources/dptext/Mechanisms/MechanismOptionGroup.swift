import ArgumentParser
import DPText

/// The command-line options of a mechanism's own parameters: one flag per
/// `MechanismParameter` of its descriptor, with the parameter's help. The
/// values given are checked against the parameters' ranges before any work,
/// and passed to the descriptor's `make`, which applies the defaults.
///
/// To give a new mechanism options: a type conforming to this, in its own
/// file (`<Name>Options.swift`), and an `@OptionGroup` property for it in
/// `MechanismOptions`. A mechanism without parameters needs neither.
protocol MechanismOptionGroup: ParsableArguments {
    /// The mechanisms whose options these are (a family may share them).
    static var mechanisms: [String] { get }
    /// Its numeric options with their parameters.
    var parameterValues: [(parameter: MechanismParameter, value: Double?)] { get }
    /// The values given for the descriptor's `choices` (settings that are not numbers).
    var choiceValues: [String: String] { get }
    /// The flag of each parameter not spelled `--name` (with `-` for `_`).
    static var flagOverrides: [String: String] { get }
    /// Checks that depend on which of `mechanisms` was chosen.
    func check(name: String) throws
}

extension MechanismOptionGroup {
    var choiceValues: [String: String] { [:] }
    static var flagOverrides: [String: String] { [:] }
    func check(name: String) throws {}

    /// The flags of its options given on the command line (an option given
    /// to another mechanism is an error, not silently ignored).
    var givenFlags: [String] {
        parameterValues.compactMap { $0.value == nil ? nil : Self.flag(for: $0.parameter) }
            + choiceValues.keys.sorted().map { "--" + $0 }
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
}
