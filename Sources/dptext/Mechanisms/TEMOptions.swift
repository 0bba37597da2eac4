import ArgumentParser
import DPText

/// `--mechanism tem`: the truncated exponential mechanism.
struct TEMOptions: MechanismOptionGroup {
    static let mechanisms = ["tem"]
    typealias Parameter = TruncatedExponentialMechanism.Parameter

    @Option(help: ArgumentHelp(help(Parameter.beta, "tem"), valueName: "β"))
    var beta: Double?

    var parameterValues: [(parameter: MechanismParameter, value: Double?)] { [(Parameter.beta, beta)] }
}
