import ArgumentParser
import DPText

/// `--mechanism santext | santext-plus`: the exponential mechanism over the vocabulary, and its
/// variant that samples only the least frequent words' outputs.
struct SanTextOptions: MechanismOptionGroup {
    static let names = ["santext", "santext-plus"]
    static var decodesPoints: Bool { false }

    @Option(help: ArgumentHelp("santext-plus: the least frequent fraction of the vocabulary that is sensitive "
                               + "(default 0.5).", valueName: "w"))
    var sensitiveFraction: Double?

    @Option(help: ArgumentHelp("santext-plus: the probability a non-sensitive word is sampled rather than kept "
                               + "(default 0.2).", valueName: "p"))
    var sampleProbability: Double?

    var givenFlags: [String] {
        flagsGiven([("--sensitive-fraction", sensitiveFraction), ("--sample-probability", sampleProbability)])
    }

    func check(name: String) throws {
        if name == "santext", let flag = givenFlags.first {
            throw ValidationError("\(flag) applies to --mechanism santext-plus, not santext.")
        }
    }

    func make(name: String, context: MechanismContext) throws -> any WordMechanism {
        guard name == "santext-plus" else { return try SanTextMechanism(epsilon: context.epsilon, resources: context.resources) }
        return try SanTextPlusMechanism(
            epsilon: context.epsilon, sensitiveFraction: sensitiveFraction ?? 0.5, sampleProbability: sampleProbability ?? 0.2,
            resources: context.resources)
    }
}
