import ArgumentParser
import DPText

/// `--mechanism santext | santext-plus`: the exponential mechanism over the vocabulary, and its
/// variant that samples only the least frequent words' outputs.
struct SanTextPlusOptions: MechanismOptionGroup {
    static let mechanisms = ["santext", "santext-plus"]
    typealias Parameter = SanTextPlusMechanism.Parameter

    @Option(help: ArgumentHelp(help(Parameter.sensitiveFraction, "santext-plus"), valueName: "w"))
    var sensitiveFraction: Double?

    @Option(help: ArgumentHelp(help(Parameter.sampleProbability, "santext-plus"), valueName: "p"))
    var sampleProbability: Double?

    var parameterValues: [(parameter: MechanismParameter, value: Double?)] {
        [(Parameter.sensitiveFraction, sensitiveFraction), (Parameter.sampleProbability, sampleProbability)]
    }

    func check(name: String) throws {
        if name == "santext", let flag = givenFlags.first {
            throw ValidationError("\(flag) applies to --mechanism santext-plus, not santext.")
        }
    }
}
