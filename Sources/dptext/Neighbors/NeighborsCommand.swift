import ArgumentParser
import DPText

struct NeighborsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "neighbors",
        abstract: "List a word's nearest vocabulary words, by exact Euclidean distance."
    )

    @Argument(help: "A vocabulary word (matched exactly; GloVe words are lower-case).")
    var word: String

    @Option(name: .short, help: "How many words to list, the word itself included (1–10000).")
    var k = 10

    @OptionGroup var storeOptions: StoreOptions

    func validate() throws {
        try OptionRanges.require("-k", k, in: OptionRanges.neighbors)
    }

    func run() throws {
        try reportingFailures {
            let (store, path) = try storeOptions.load()
            guard let id = store.id(of: word) else {
                let lowered = word.lowercased()
                let hint = lowered != word && store.id(of: lowered) != nil ? " Did you mean '\(lowered)'?" : ""
                throw Failure(message: "'\(word)' is not in the vocabulary of \(path) (V = \(store.count)).\(hint)",
                              status: ExitStatus.dataError)
            }
            let neighbors = ExactNeighborIndex(store: store).neighbors(ofWord: id, k: k)
            print("Nearest \(neighbors.count) words to '\(word)' in \(path) (V = \(store.count), D = \(store.dimension)):")
            let width = max(4, neighbors.map { store.words[$0.id].count }.max() ?? 0)
            print("rank  " + leftAligned("word", width) + "  distance")
            for (rank, neighbor) in neighbors.enumerated() {
                print(rightAligned(String(rank + 1), 4) + "  " + leftAligned(store.words[neighbor.id], width)
                      + "  " + rightAligned(fixed(neighbor.distance, digits: 4), 8))
            }
        }
    }
}
