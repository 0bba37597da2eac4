import ArgumentParser
import DPText

/// `--mechanism custext | custext-plus`: an exponential mechanism inside public groups of K words,
/// and its variant that passes stopwords through.
struct CusTextOptions: MechanismOptionGroup {
    static let names = ["custext", "custext-plus"]
    static var decodesPoints: Bool { false }

    @Option(help: ArgumentHelp("custext, custext-plus: words per group (default 20).", valueName: "K"))
    var topK: Int?

    var givenFlags: [String] { flagsGiven([("--top-k", topK)]) }

    func make(name: String, context: MechanismContext) throws -> any WordMechanism {
        let size = topK ?? 20
        if name == "custext-plus" {
            return try CusTextPlusMechanism(epsilon: context.epsilon, groupSize: size, resources: context.resources)
        }
        return try CusTextMechanism(epsilon: context.epsilon, groupSize: size, resources: context.resources)
    }
}
