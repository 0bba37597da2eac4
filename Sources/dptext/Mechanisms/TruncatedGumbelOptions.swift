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

    @Option(help: ArgumentHelp("truncated-gumbel: mean of the Poisson candidate count (default ln(V − 1)).",
                               valueName: "μ"))
    var poissonMean: Double?

    var givenFlags: [String] { flagsGiven([("--poisson-mean", poissonMean)]) }

    func make(name: String, context: MechanismContext) throws -> any WordMechanism {
        try TruncatedGumbelMechanism(epsilon: context.epsilon, resources: context.resources, poissonMean: poissonMean)
    }
}
