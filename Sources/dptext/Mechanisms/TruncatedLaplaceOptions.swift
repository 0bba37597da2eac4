import ArgumentParser
import DPText

/// `--mechanism truncated-laplace`: Laplace with a noise-norm or output-distance cap.
struct TruncatedLaplaceOptions: MechanismOptionGroup {
    static let mechanisms = ["truncated-laplace"]

    typealias Parameter = TruncatedLaplaceMechanism.Parameter

    @Option(help: ArgumentHelp(help(Parameter.maxNoise, "truncated-laplace"), valueName: "R"))
    var maxNoise: Double?

    @Option(help: ArgumentHelp("truncated-laplace with --max-noise: condition (default) or clip the radius.",
                               valueName: "variant"))
    var truncation: TruncatedLaplaceMechanism.NormCapVariant?

    @Option(help: ArgumentHelp(help(Parameter.maxDistance, "truncated-laplace"), valueName: "D"))
    var maxDistance: Double?

    var parameterValues: [(parameter: MechanismParameter, value: Double?)] {
        [(Parameter.maxNoise, maxNoise), (Parameter.maxDistance, maxDistance)]
    }
    var choiceValues: [String: String] { truncation.map { ["truncation": $0.rawValue] } ?? [:] }

    func check(name: String) throws {
        if maxNoise != nil && maxDistance != nil {
            throw ValidationError("--mechanism truncated-laplace takes one cap: --max-noise R or --max-distance D, not both.")
        }
        if truncation != nil && maxNoise == nil {
            throw ValidationError("--truncation goes with --max-noise.")
        }
    }
}

extension TruncatedLaplaceMechanism.NormCapVariant: ExpressibleByArgument {}
