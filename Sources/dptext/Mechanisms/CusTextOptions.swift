import ArgumentParser
import DPText

/// `--mechanism custext | custext-plus`: an exponential mechanism inside public groups of K words,
/// and its variant that passes stopwords through.
struct CusTextOptions: MechanismOptionGroup {
    static let names = ["custext", "custext-plus"]
    static var decodesPoints: Bool { false }
    typealias Parameter = CusTextMechanism.Parameter

    @Option(help: ArgumentHelp(help(Parameter.topK, "custext, custext-plus"), valueName: "K"))
    var topK: Int?

    var parameterValues: [(parameter: MechanismParameter, value: Double?)] { [(Parameter.topK, Self.number(topK))] }

    func make(name: String, context: MechanismContext) throws -> any WordMechanism {
        let size = topK ?? Int(Parameter.topK.defaultValue!)
        if name == "custext-plus" {
            return try CusTextPlusMechanism(epsilon: context.epsilon, groupSize: size, resources: context.resources)
        }
        return try CusTextMechanism(epsilon: context.epsilon, groupSize: size, resources: context.resources)
    }
}
