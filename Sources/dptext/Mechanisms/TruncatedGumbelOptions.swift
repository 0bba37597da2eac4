import ArgumentParser
import DPText

/// `--mechanism truncated-gumbel`: Poisson-k candidates and truncated Gumbel noise.
struct TruncatedGumbelOptions: MechanismOptionGroup {
    static let mechanisms = ["truncated-gumbel"]
    typealias Parameter = TruncatedGumbelMechanism.Parameter

    @Option(help: ArgumentHelp(help(Parameter.poissonMean, "truncated-gumbel"), valueName: "μ"))
    var poissonMean: Double?

    var parameterValues: [(parameter: MechanismParameter, value: Double?)] { [(Parameter.poissonMean, poissonMean)] }
}
