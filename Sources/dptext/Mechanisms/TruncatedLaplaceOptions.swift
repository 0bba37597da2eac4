import ArgumentParser
import DPText

/// `--mechanism truncated-laplace`: Laplace with a noise-norm or output-distance cap.
struct TruncatedLaplaceOptions: MechanismOptionGroup {
    static let names = ["truncated-laplace"]

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
    var otherGivenFlags: [String] { flagsGiven([("--truncation", truncation)]) }

    func check(name: String) throws {
        if (maxNoise == nil) == (maxDistance == nil) {
            throw ValidationError("--mechanism truncated-laplace needs exactly one of --max-noise R or --max-distance D.")
        }
        if truncation != nil && maxNoise == nil {
            throw ValidationError("--truncation goes with --max-noise.")
        }
    }

    /// A noise cap that rarely bites (`TruncatedLaplaceMechanism.typicalNoiseCap`).
    static func typicalArguments(name: String, epsilon: Double, dimension: Int) -> [String] {
        ["--max-noise", "\(TruncatedLaplaceMechanism.typicalNoiseCap(dimension: dimension, epsilon: epsilon))"]
    }

    func make(name: String, context: MechanismContext) throws -> any WordMechanism {
        let cap: TruncatedLaplaceMechanism.Cap = maxNoise.map { .noiseNorm(radius: $0, variant: truncation ?? .condition) }
            ?? .outputDistance(maxDistance!)
        return try TruncatedLaplaceMechanism(
            epsilon: context.epsilon, cap: cap, store: context.resources.vocabulary, standIns: context.standIns)
    }
}

extension TruncatedLaplaceMechanism.NormCapVariant: ExpressibleByArgument {}
