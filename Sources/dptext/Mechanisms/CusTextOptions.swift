import ArgumentParser
import DPText

/// `--mechanism custext | custext-plus`: an exponential mechanism inside public groups of K words,
/// and its variant that passes stopwords through.
struct CusTextOptions: MechanismOptionGroup {
    static let mechanisms = ["custext", "custext-plus"]
    typealias Parameter = CusTextMechanism.Parameter

    @Option(help: ArgumentHelp(help(Parameter.topK, "custext, custext-plus"), valueName: "K"))
    var topK: Int?

    var parameterValues: [(parameter: MechanismParameter, value: Double?)] { [(Parameter.topK, Self.number(topK))] }
}
