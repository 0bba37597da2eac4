import ArgumentParser
import DPText

/// `--mechanism kde-mh`: Laplace noise, then Metropolis–Hastings denoising under a KDE prior.
struct KDEMHOptions: MechanismOptionGroup {
    static let names = ["kde-mh"]

    @Option(help: ArgumentHelp("kde-mh: KDE bandwidth h (default: Scott's rule).", valueName: "h"))
    var bandwidth: Double?

    @Option(help: ArgumentHelp("kde-mh: chain moves before the counted ones (default 0).", valueName: "B"))
    var burnIn: Int?

    @Option(help: ArgumentHelp("kde-mh: chain moves after burn-in (default 30).", valueName: "T"))
    var steps: Int?

    @Option(help: ArgumentHelp("kde-mh: random-walk step scale σ (default: from the mixture proposal).", valueName: "σ"))
    var proposalScale: Double?

    @Option(help: ArgumentHelp("kde-mh: vocabulary words nearest the noisy point that carry the KDE (default 100).",
                               valueName: "M"))
    var kdeNeighbors: Int?

    var givenFlags: [String] {
        flagsGiven([("--bandwidth", bandwidth), ("--burn-in", burnIn), ("--steps", steps),
                              ("--proposal-scale", proposalScale), ("--kde-neighbors", kdeNeighbors)])
    }

    func make(name: String, context: MechanismContext) throws -> any WordMechanism {
        try KDEMetropolisHastingsMechanism(
            epsilon: context.epsilon, store: context.resources.vocabulary, bandwidth: bandwidth,
            burnIn: burnIn ?? KDEMetropolisHastingsMechanism.defaultBurnIn,
            steps: steps ?? KDEMetropolisHastingsMechanism.defaultSteps, proposalScale: proposalScale,
            kernelNeighbors: kdeNeighbors ?? 100)
    }
}
