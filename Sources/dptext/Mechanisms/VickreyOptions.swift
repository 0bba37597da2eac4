import ArgumentParser
import DPText

/// `--mechanism vickrey`: Laplace noise, then a choice between the two nearest words.
struct VickreyOptions: MechanismOptionGroup {
    static let names = ["vickrey"]

    @Option(help: ArgumentHelp("vickrey: t in [0, 1], how much the second nearest word is preferred (default 0.5).",
                               valueName: "t"))
    var vickreyT: Double?

    var givenFlags: [String] { flagsGiven([("--vickrey-t", vickreyT)]) }

    func make(name: String, context: MechanismContext) throws -> any WordMechanism {
        try VickreyMechanism(epsilon: context.epsilon, t: vickreyT ?? 0.5, store: context.resources.vocabulary)
    }
}
