import ArgumentParser
import DPText

/// `--mechanism vickrey`: Laplace noise, then a choice between the two nearest words.
struct VickreyOptions: MechanismOptionGroup {
    static let mechanisms = ["vickrey"]
    typealias Parameter = VickreyMechanism.Parameter
    static var flagOverrides: [String: String] { [Parameter.t.name: "--vickrey-t"] }

    @Option(help: ArgumentHelp(help(Parameter.t, "vickrey"), valueName: "t"))
    var vickreyT: Double?

    var parameterValues: [(parameter: MechanismParameter, value: Double?)] { [(Parameter.t, vickreyT)] }
}
