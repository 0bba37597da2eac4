import ArgumentParser
import DPText

/// `--mechanism truncated-gumbel`: Poisson-k candidates and truncated Gumbel noise.
struct TruncatedGumbelOptions: MechanismOptionGroup {
    static let names = ["truncated-gumbel"]
    static var decodesPoints: Bool { false }
    static var unverifiedBecause: String? {
        "its candidate set depends on the input word, so the claimed ε·d bound cannot hold, and the privacy audit "
            + "(dptext evaluate audit) measures losses above it"
    }
    typealias Parameter = TruncatedGumbelMechanism.Parameter

    @Option(help: ArgumentHelp(help(Parameter.poissonMean, "truncated-gumbel"), valueName: "μ"))
    var poissonMean: Double?

    var parameterValues: [(parameter: MechanismParameter, value: Double?)] { [(Parameter.poissonMean, poissonMean)] }

    func make(name: String, context: MechanismContext) throws -> any WordMechanism {
        try TruncatedGumbelMechanism(epsilon: context.epsilon, resources: context.resources, poissonMean: poissonMean)
    }
}
