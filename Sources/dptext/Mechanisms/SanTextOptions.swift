import ArgumentParser
import DPText

/// `--mechanism santext | santext-plus`: the exponential mechanism over the vocabulary, and its
/// variant that samples only the least frequent words' outputs.
struct SanTextOptions: MechanismOptionGroup {
    static let names = ["santext", "santext-plus"]
    static var decodesPoints: Bool { false }
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

    func make(name: String, context: MechanismContext) throws -> any WordMechanism {
        guard name == "santext-plus" else { return try SanTextMechanism(epsilon: context.epsilon, resources: context.resources) }
        return try SanTextPlusMechanism(
            epsilon: context.epsilon, sensitiveFraction: sensitiveFraction ?? Parameter.sensitiveFraction.defaultValue!,
            sampleProbability: sampleProbability ?? Parameter.sampleProbability.defaultValue!,
            resources: context.resources)
    }
}
