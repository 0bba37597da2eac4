import ArgumentParser
import DPText

/// `--mechanism mahalanobis`: Laplace noise shaped by the vocabulary's covariance.
struct MahalanobisOptions: MechanismOptionGroup {
    static let names = ["mahalanobis"]

    @Option(help: ArgumentHelp("mahalanobis: λ, the weight of the covariance in the noise shape (default 0.2).",
                               valueName: "λ"))
    var lambda: Double?

    var givenFlags: [String] { flagsGiven([("--lambda", lambda)]) }

    func make(name: String, context: MechanismContext) throws -> any WordMechanism {
        try MahalanobisMechanism(epsilon: context.epsilon, lambda: lambda ?? 0.2, store: context.resources.vocabulary)
    }
}
