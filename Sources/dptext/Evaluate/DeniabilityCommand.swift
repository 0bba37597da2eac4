import ArgumentParser
import DPText
import Foundation

struct DeniabilityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deniability",
        abstract: "N_w and S_w per mechanism and ε over a frequency-stratified word sample.",
        discussion: """
            For each word of the sample, the mechanism runs --draws times: N_w is the fraction of \
            draws returning the word itself (with a 95 % Clopper–Pearson interval), S_w the number \
            of distinct outputs (so it depends on --draws), and the perplexity exp(H) of the \
            output distribution. Writes deniability.csv (mean, median, 5 % and 95 % over words) \
            and deniability.json (also every word's figures).
            """
    )

    @OptionGroup var evaluation: EvaluationOptions

    @Option(help: "Words in the sample (stratified by frequency into 10 bands; 1–1000000).")
    var words = 1000

    @Option(help: "Draws per word (m; 1–100000000).")
    var draws = 1000

    typealias Run = DeniabilityStudy.Run

    func validate() throws {
        try OptionRanges.require("--words", words, in: OptionRanges.sampleWords)
        try OptionRanges.require("--draws", draws, in: OptionRanges.draws)
    }

    func run() throws {
        try reportingFailures {
            let folder = try evaluation.outputFolder()
            let (resources, _, _) = try evaluation.loadResources()
            let (vocabulary, index) = (resources.vocabulary, resources.index)
            let sample = DeniabilityStudy.sampleWords(
                vocabularySize: vocabulary.count, count: words, seed: evaluation.seed)
            var results = MergedResults<Run>(url: folder.appendingPathComponent("deniability.json"))
            for choice in evaluation.mechanism {
                for epsilon in try evaluation.epsilons(for: choice, resources: resources) {
                    let run: Run
                    switch try evaluation.mechanism(choice, epsilon: epsilon, resources: resources) {
                    case .failure(let error):
                        run = Run(mechanism: choice, epsilon: epsilon, status: "refused",
                                  note: error.description, parameters: [:], guarantee: nil,
                                  seed: evaluation.seed, rows: [], perWord: [])
                    case .success(let mechanism):
                        let privatizer = try Privatizer(mechanism: mechanism, decoder: index)
                        let (perWord, seconds) = timed {
                            DeniabilityStudy.estimate(
                                words: sample, draws: draws, privatizer: privatizer,
                                seed: evaluation.seed)
                        }
                        run = Run(mechanism: choice, epsilon: epsilon, status: "ok",
                                  note: String(format: "%.1f s", seconds), parameters: mechanism.parameters,
                                  guarantee: mechanism.guarantee.kind, seed: evaluation.seed,
                                  rows: DeniabilityStudy.summarize(
                                    mechanism: choice, epsilon: epsilon, draws: draws, results: perWord),
                                  perWord: perWord)
                    }
                    print(summaryLine(run))
                    results.replace(run) { $0.mechanism == run.mechanism && $0.epsilon == run.epsilon }
                    try results.save()
                    try writeCSV(csvRows(results.entries), to: folder.appendingPathComponent("deniability.csv"))
                }
            }
        }
    }

    private func csvRows(_ runs: [Run]) -> [[String]] {
        let header = ["mechanism", "epsilon", "words", "draws", "statistic", "mean", "median", "p05", "p95"]
        let rows = runs.sorted { ($0.mechanism, $0.epsilon) < ($1.mechanism, $1.epsilon) }.flatMap(\.rows).map {
            [$0.mechanism, cell($0.epsilon), String($0.words), String($0.draws), $0.statistic,
             cell($0.mean), cell($0.median), cell($0.p05), cell($0.p95)]
        }
        return [header] + rows
    }

    private func summaryLine(_ run: Run) -> String {
        let label = leftAligned(run.mechanism, 18) + " ε = " + leftAligned(cell(run.epsilon), 6)
        guard run.status == "ok" else { return label + " refused: " + (run.note ?? "") }
        let figures = run.rows.map { "\($0.statistic) median \(fixed($0.median, digits: 3))" }.joined(separator: ", ")
        return label + " " + figures + " (" + (run.note ?? "") + ")"
    }
}
