import ArgumentParser
import DPText

/// `--mechanism santext-plus`: SanText's exponential mechanism, sampling only the least frequent
/// words' outputs.
struct SanTextPlusOptions: MechanismOptionGroup {
    static let mechanisms = ["santext-plus"]
    typealias Parameter = SanTextPlusMechanism.Parameter

    @Option(help: ArgumentHelp(help(Parameter.sensitiveFraction, "santext-plus"), valueName: "w"))
    var sensitiveFraction: Double?

    @Option(help: ArgumentHelp(help(Parameter.sampleProbability, "santext-plus"), valueName: "p"))
    var sampleProbability: Double?

    var parameterValues: [(parameter: MechanismParameter, value: Double?)] {
        [(Parameter.sensitiveFraction, sensitiveFraction), (Parameter.sampleProbability, sampleProbability)]
    }
}
