import ArgumentParser
import DPText

/// `--mechanism kde-mh`: Laplace noise, then Metropolis–Hastings denoising under a KDE prior.
struct KDEMHOptions: MechanismOptionGroup {
    static let mechanisms = ["kde-mh"]
    typealias Parameter = KDEMetropolisHastingsMechanism.Parameter

    @Option(help: ArgumentHelp(help(Parameter.bandwidth, "kde-mh"), valueName: "h"))
    var bandwidth: Double?

    @Option(help: ArgumentHelp(help(Parameter.burnIn, "kde-mh"), valueName: "B"))
    var burnIn: Int?

    @Option(help: ArgumentHelp(help(Parameter.steps, "kde-mh"), valueName: "T"))
    var steps: Int?

    @Option(help: ArgumentHelp(help(Parameter.proposalScale, "kde-mh"), valueName: "σ"))
    var proposalScale: Double?

    @Option(help: ArgumentHelp(help(Parameter.kdeNeighbors, "kde-mh"), valueName: "M"))
    var kdeNeighbors: Int?

    var parameterValues: [(parameter: MechanismParameter, value: Double?)] {
        [(Parameter.bandwidth, bandwidth), (Parameter.burnIn, Self.number(burnIn)), (Parameter.steps, Self.number(steps)),
         (Parameter.proposalScale, proposalScale), (Parameter.kdeNeighbors, Self.number(kdeNeighbors))]
    }
}
