import ArgumentParser
import DPText

/// `--mechanism mahalanobis`: Laplace noise shaped by the vocabulary's covariance.
struct MahalanobisOptions: MechanismOptionGroup {
    static let mechanisms = ["mahalanobis"]
    typealias Parameter = MahalanobisMechanism.Parameter

    @Option(help: ArgumentHelp(help(Parameter.lambda, "mahalanobis"), valueName: "λ"))
    var lambda: Double?

    var parameterValues: [(parameter: MechanismParameter, value: Double?)] { [(Parameter.lambda, lambda)] }
}
