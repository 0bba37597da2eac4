import ArgumentParser
import DPText

/// `--mechanism tem`: the truncated exponential mechanism.
struct TEMOptions: MechanismOptionGroup {
    static let names = ["tem"]
    static var decodesPoints: Bool { false }

    @Option(help: ArgumentHelp("tem: β, the probability bound of the truncated tail (default 0.001).", valueName: "β"))
    var beta: Double?

    var givenFlags: [String] { flagsGiven([("--beta", beta)]) }

    func make(name: String, context: MechanismContext) throws -> any WordMechanism {
        try TruncatedExponentialMechanism(epsilon: context.epsilon, beta: beta ?? 0.001, resources: context.resources)
    }
}
