import ArgumentParser
import DPText
import Foundation

struct AttackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attack",
        abstract: "Token-reconstruction attacks: how often an attacker who knows the mechanism recovers the input word.",
        discussion: """
            asr is the Bayes-optimal context-free attack's success, Σ_y max_x π(x)·P(y | x), for input \
            words drawn from --prior restricted to its --words most probable words (prior_mass: the \
            share of the prior they hold). It is exact for mechanisms whose output law has a closed \
            form (tem, santext, santext-plus, custext, custext-plus, diffractor); for the others it is \
            estimated from --draws outputs per word, split in halves (the attack is learned on one \
            half and scored on the other, both ways), with a 95 % interval; asr_plugin, the maximum \
            over all draws, is biased upward. unchanged is the trivial attack (the output is the \
            guess). --shadow CORPUS adds the shadow-data attack: the corpus's even lines are the \
            attacker's public text, privatized with another seed to learn "output → most frequent \
            input", which is applied to its odd lines. Writes attack.csv and attack.json.
            """
    )

    @OptionGroup var evaluation: EvaluationOptions

    @Option(help: ArgumentHelp(
        "The attacker's prior over input words: uniform, zipf (from the store's frequency order), or a text "
            + "file whose vocabulary word counts are the prior.", valueName: "prior"))
    var prior = "uniform"

    @Option(help: "Support of the prior: its most probable words (1–1000000).")
    var words = 2000

    @Option(help: "Draws per word where the law has no closed form (an even number, 2–100000000).")
    var draws = 200

    @Option(help: ArgumentHelp("Public text for the shadow-data attack (one record per line).", valueName: "corpus"))
    var shadow: String?

    func validate() throws {
        try OptionRanges.require("--words", words, in: OptionRanges.sampleWords)
        try OptionRanges.require("--draws", draws, in: OptionRanges.draws)
        guard draws >= 2, draws % 2 == 0 else { throw ValidationError("--draws must be an even number ≥ 2 (got \(draws)).") }
    }

    /// One mechanism at one ε under one prior.
    struct Entry: Codable {
        let mechanism: String
        let epsilon: Double
        let prior: String
        let words: Int
        let priorMass: Double
        let seed: UInt64
        let status: String
        let note: String?
        let attack: AttackSuccess?
        let shadow: ShadowAttackResult?
    }

    func run() throws {
        try reportingFailures {
            let folder = try evaluation.outputFolder()
            let (resources, _, _) = try evaluation.loadResources()
            let vocabulary = resources.vocabulary
            let prior = try makePrior(vocabulary: vocabulary)
            let shadowLines = try shadow.map(readLines)
            var results = MergedResults<Entry>(url: folder.appendingPathComponent("attack.json"))
            for choice in evaluation.mechanism {
                for epsilon in try evaluation.epsilons(for: choice, resources: resources) {
                    let entry: Entry
                    switch try evaluation.mechanism(choice, epsilon: epsilon, resources: resources) {
                    case .failure(let error):
                        entry = Entry(mechanism: choice, epsilon: epsilon, prior: prior.name, words: prior.ids.count,
                                      priorMass: prior.mass, seed: evaluation.seed, status: "refused",
                                      note: error.description, attack: nil, shadow: nil)
                    case .success(let mechanism):
                        let privatizer = try Privatizer(mechanism: mechanism, decoder: resources.index)
                        let ((attack, shadowResult), seconds) = timed {
                            (measure(mechanism, privatizer: privatizer, prior: prior, outputs: vocabulary.count),
                             shadowLines.map {
                                ShadowAttack.measure(lines: $0, vocabulary: vocabulary, privatizer: privatizer,
                                                     seed: evaluation.seed)
                             })
                        }
                        entry = Entry(mechanism: choice, epsilon: epsilon, prior: prior.name, words: prior.ids.count,
                                      priorMass: prior.mass, seed: evaluation.seed, status: "ok",
                                      note: String(format: "%.1f s", seconds), attack: attack, shadow: shadowResult)
                    }
                    print(summaryLine(entry))
                    results.replace(entry) {
                        ($0.mechanism, $0.epsilon, $0.prior) == (entry.mechanism, entry.epsilon, entry.prior)
                    }
                    try results.save()
                    try writeCSV(csvRows(results.entries), to: folder.appendingPathComponent("attack.csv"))
                }
            }
        }
    }

    /// Exact when the mechanism's law has a closed form, else estimated from draws.
    private func measure(_ mechanism: any WordMechanism, privatizer: Privatizer, prior: WordPrior, outputs: Int)
        -> AttackSuccess {
        if let law = mechanism as? any ExactOutputLaw {
            return ReconstructionAttack.exact(law: law, prior: prior, outputs: outputs)
        }
        return ReconstructionAttack.estimated(privatizer: privatizer, prior: prior, draws: draws, seed: evaluation.seed)
    }

    private func makePrior(vocabulary: EmbeddingStore) throws -> WordPrior {
        let support = min(words, vocabulary.count)
        switch prior {
        case "uniform": return .uniform(wordCount: vocabulary.count, words: support)
        case "zipf": return .zipf(wordCount: vocabulary.count, words: support)
        default:
            var counts = [Int](repeating: 0, count: vocabulary.count)
            let rewriter = TextRewriter(store: vocabulary, policy: .keep)
            for line in try readLines(prior) {
                for case .word(let id) in rewriter.prepare(line).inputs { counts[id] += 1 }
            }
            guard counts.contains(where: { $0 > 0 }) else {
                throw Failure(message: "\(prior): no vocabulary words to count; pass a text file of the kind the "
                              + "private text is, or --prior uniform or zipf.", status: ExitStatus.dataError)
            }
            return .counts(counts, name: (prior as NSString).lastPathComponent, words: support)
        }
    }

    private func readLines(_ path: String) throws -> [[UInt8]] {
        var reader = try LineReader(path: path)
        var lines: [[UInt8]] = []
        while let line = try reader.next() { lines.append(Array(line)) }
        return lines
    }

    private func csvRows(_ entries: [Entry]) -> [[String]] {
        let header = ["mechanism", "epsilon", "prior", "asr", "asr_low", "asr_high", "unchanged", "asr_plugin", "method",
                      "draws", "words", "prior_mass", "shadow_recovery", "shadow_low", "shadow_high", "shadow_unchanged",
                      "shadow_tokens", "seed", "status"]
        let rows = entries.sorted { ($0.mechanism, $0.epsilon, $0.prior) < ($1.mechanism, $1.epsilon, $1.prior) }.map {
            entry -> [String] in
            let attack = entry.attack.map {
                [cell($0.asr), cell($0.low), cell($0.high), cell($0.unchanged), cell($0.plugin), $0.method, String($0.draws)]
            } ?? Array(repeating: "", count: 7)
            let shadow = entry.shadow.map {
                [cell($0.recovery), cell($0.low), cell($0.high), cell($0.unchanged), String($0.tokens)]
            } ?? Array(repeating: "", count: 5)
            return [entry.mechanism, cell(entry.epsilon), entry.prior] + attack
                + [String(entry.words), cell(entry.priorMass)] + shadow + [String(entry.seed), entry.status]
        }
        return [header] + rows
    }

    private func summaryLine(_ entry: Entry) -> String {
        let label = leftAligned(entry.mechanism, 18) + " ε = " + leftAligned(cell(entry.epsilon), 6)
        guard let attack = entry.attack else { return label + " refused: " + (entry.note ?? "") }
        var line = label + " asr \(fixed(attack.asr, digits: 3)) [\(fixed(attack.low, digits: 3)), "
            + "\(fixed(attack.high, digits: 3))] (\(attack.method)), unchanged \(fixed(attack.unchanged, digits: 3))"
        if let shadow = entry.shadow { line += ", shadow \(fixed(shadow.recovery, digits: 3))" }
        return line + " (" + (entry.note ?? "") + ")"
    }
}
