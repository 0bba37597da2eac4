import ArgumentParser
import DPText

/// `--mechanism tem`: the truncated exponential mechanism.
struct TEMOptions: MechanismOptionGroup {
    static let names = ["tem"]
    static var decodesPoints: Bool { false }
    typealias Parameter = TruncatedExponentialMechanism.Parameter

    @Option(help: ArgumentHelp(help(Parameter.beta, "tem"), valueName: "β"))
    var beta: Double?

    var parameterValues: [(parameter: MechanismParameter, value: Double?)] { [(Parameter.beta, beta)] }

    func make(name: String, context: MechanismContext) throws -> any WordMechanism {
        try TruncatedExponentialMechanism(epsilon: context.epsilon, beta: beta ?? Parameter.beta.defaultValue!,
                                          resources: context.resources)
    }
}
