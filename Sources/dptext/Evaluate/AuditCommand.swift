import ArgumentParser
import DPText
import Foundation

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Empirical privacy audit: look for outputs whose probability ratio breaks the claimed ε·d.",
        discussion: """
            Mechanisms.md §9 T13. For pairs of words (x, x') each mechanism runs m times on both; \
            candidate outputs are selected on one half of the draws and tested on the other with \
            Clopper–Pearson bounds (Bonferroni-corrected): a violation is a certified \
            ln P[M(x)=y]/P[M(x')=y] > ε·d(x, x'). Two settings per mechanism: (1) the small \
            adversarial store of AuditStores (where the candidate-set construction of \
            truncated-gumbel fails, Mechanisms.md §4.4), at just above truncated-gumbel's smallest \
            valid ε; (2) the first --glove-words words of the store, with nearest-neighbour, random \
            and adversarial pairs. An audit can only find violations; "no violation found" is not \
            a proof. Writes audit.json.
            """
    )

    @OptionGroup var evaluation: EvaluationOptions

    @Option(help: "Draws per side on the adversarial store.")
    var draws = 1_000_000

    @Option(help: "Draws per side on the GloVe prefix.")
    var gloveDraws = 100_000

    @Option(help: "Draws per side for kde-mh (each draw runs a whole MCMC chain, about 1 ms).")
    var kdeDraws = 4_000

    @Option(help: "Words of the store's prefix to audit on.")
    var gloveWords = 2000

    @Option(help: "Pairs of each kind on the GloVe prefix.")
    var pairs = 5

    @Option(help: "ε for laplace, truncated-laplace and kde-mh on the GloVe prefix.")
    var gloveEpsilon = 5.0

    struct Entry: Codable {
        let mechanism: String
        let epsilon: Double
        let store: String
        let verdict: String
        let isViolation: Bool
        let maxRatio: Double?
        let result: PrivacyAuditResult
    }

    func validate() throws {
        try OptionRanges.require("--draws", draws, in: 100...OptionRanges.draws.upperBound)
        try OptionRanges.require("--glove-draws", gloveDraws, in: 100...OptionRanges.draws.upperBound)
        try OptionRanges.require("--kde-draws", kdeDraws, in: 100...OptionRanges.draws.upperBound)
        try OptionRanges.require("--glove-words", gloveWords, in: 2...10_000_000)
        try OptionRanges.require("--pairs", pairs, in: 1...10_000)
        try OptionRanges.requireEpsilon("--glove-epsilon", gloveEpsilon)
    }

    func run() throws {
        try reportingFailures {
            let folder = try evaluation.outputFolder()
            let adversarial = AuditStores.adversarial()
            let (full, path) = try loadStore(path: evaluation.storeOptions.embeddings, vocabLimit: gloveWords,
                                             cacheDir: evaluation.storeOptions.cacheDir)
            let prefix = try WordTokenizer.wordVocabulary(of: full)
            var entries: [Entry] = []
            for choice in evaluation.mechanism {
                guard let descriptor = MechanismCatalog.named(choice), descriptor.takesEpsilon else { continue }
                let settings: [(String, EmbeddingStore, [AuditPair], Double?, Int)] = [
                    ("adversarial store (V = \(adversarial.store.count))", adversarial.store, [adversarial.pair],
                     adversarial.suggestedEpsilon, draws),
                    ("first \(gloveWords) words of \(URL(fileURLWithPath: path).lastPathComponent)", prefix,
                     gloveAuditPairs(prefix), descriptor.minimumEpsilon == nil ? gloveEpsilon : nil, gloveDraws),
                ]
                for (label, store, pairs, requested, sideDraws) in settings {
                    let resources = VocabularyResources(vocabulary: store)
                    // Just above the smallest ε a mechanism with a vocabulary-dependent minimum accepts.
                    let epsilon = try requested ?? 1.01 * descriptor.minimumEpsilon!(resources)
                    guard case .success(let mechanism) = try evaluation.mechanism(
                        choice, epsilon: epsilon, resources: resources) else { continue }
                    let audit = try PrivacyAudit(privatizer: Privatizer(mechanism: mechanism, decoder: resources.index))
                    var configuration = PrivacyAudit.Configuration(seed: evaluation.seed)
                    configuration.drawsPerSide = descriptor.cost == .chain ? min(sideDraws, kdeDraws) : sideDraws
                    let result = audit.run(pairs: pairs, configuration: configuration)
                    let entry = Entry(mechanism: choice, epsilon: epsilon, store: label,
                                      verdict: result.verdict.description, isViolation: result.verdict.isViolation,
                                      maxRatio: result.maxRatio, result: result)
                    print("\(leftAligned(choice, 18)) ε = \(cell(epsilon)) on \(label), m = "
                          + "\(configuration.drawsPerSide): \(entry.verdict)")
                    entries.append(entry)
                }
            }
            var saved = MergedResults<Entry>(url: folder.appendingPathComponent("audit.json"))
            for entry in entries {
                saved.replace(entry) { $0.mechanism == entry.mechanism && $0.store == entry.store }
            }
            try saved.save()
        }
    }

    /// Nearest-neighbour, random and adversarial pairs of the prefix, fixed seed.
    private func gloveAuditPairs(_ store: EmbeddingStore) -> [AuditPair] {
        let index = ExactNeighborIndex(store: store)
        return AuditPairs.unique(
            AuditPairs.nearestNeighbor(index: index, count: pairs, seed: evaluation.seed)
                + AuditPairs.random(store: store, count: pairs, seed: evaluation.seed)
                + AuditPairs.adversarial(index: index, count: pairs, seed: evaluation.seed))
    }
}
