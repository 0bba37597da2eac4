import ArgumentParser
import DPText
import Foundation

struct WordUtilityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "utility",
        abstract: "Word-level utility per mechanism and ε on a corpus.",
        discussion: """
            Privatizes every vocabulary word of CORPUS (seeded, as privatize does) and reports the \
            fraction changed and the mean cosine similarity and Euclidean distance between each \
            word and its replacement. Writes word_utility.csv and word_utility.json. Downstream \
            accuracy comes from Tools/downstream-utility.sh.
            """
    )

    @Argument(help: ArgumentHelp("Text corpus, one record per line.", valueName: "corpus"))
    var corpus: String

    @OptionGroup var evaluation: EvaluationOptions

    func run() throws {
        try reportingFailures {
            let folder = try evaluation.outputFolder()
            let (resources, _, _) = try evaluation.loadResources()
            let (vocabulary, index) = (resources.vocabulary, resources.index)
            var reader = try LineReader(path: corpus)
            var lines: [[UInt8]] = []
            while let line = try reader.next() { lines.append(Array(line)) }
            var results = MergedResults<WordUtility>(url: folder.appendingPathComponent("word_utility.json"))
            for choice in evaluation.mechanism {
                for epsilon in try evaluation.epsilons(for: choice, resources: resources) {
                    guard case .success(let mechanism) = try evaluation.mechanism(choice, epsilon: epsilon, resources: resources)
                    else {
                        print(leftAligned(choice, 18) + " ε = \(cell(epsilon)): refused at this ε")
                        continue
                    }
                    let utility = WordUtility.measure(
                        lines: lines, vocabulary: vocabulary, privatizer: try Privatizer(mechanism: mechanism, decoder: index),
                        epsilon: epsilon, seed: evaluation.seed, label: choice)
                    print(leftAligned(choice, 18) + " ε = " + leftAligned(cell(epsilon), 6)
                          + " changed \(fixed(100 * utility.changedFraction, digits: 1)) %, cosine "
                          + "\(fixed(utility.meanCosine, digits: 3)), distance \(fixed(utility.meanDistance, digits: 3))")
                    results.replace(utility) { $0.mechanism == utility.mechanism && $0.epsilon == utility.epsilon }
                    try results.save()
                }
            }
            let header = ["mechanism", "epsilon", "changed_fraction", "mean_cosine", "mean_distance", "tokens"]
            let rows = results.entries.sorted { ($0.mechanism, $0.epsilon) < ($1.mechanism, $1.epsilon) }.map {
                [$0.mechanism, cell($0.epsilon), cell($0.changedFraction), cell($0.meanCosine),
                 cell($0.meanDistance), String($0.tokens)]
            }
            try writeCSV([header] + rows, to: folder.appendingPathComponent("word_utility.csv"))
        }
    }
}
