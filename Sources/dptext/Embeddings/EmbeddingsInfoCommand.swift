import ArgumentParser
import DPText

struct EmbeddingsInfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Describe a store: size, provenance, vector norms, nearest-neighbour distances."
    )

    @Argument(help: ArgumentHelp("HDF5 store (default: the bundled store).", valueName: "path"))
    var path: String?

    @Option(name: .long, help: ArgumentHelp("Keep only the first N words.", valueName: "N"))
    var vocabLimit: Int?

    @Option(help: ArgumentHelp(
        "Words sampled for nearest-neighbour distances; every word when V is at most this.", valueName: "N"))
    var sample = 5000

    func validate() throws {
        if let vocabLimit, vocabLimit < 1 { throw ValidationError("--vocab-limit must be at least 1.") }
        guard sample >= 1 else { throw ValidationError("--sample must be at least 1.") }
    }

    func run() throws {
        try reportingFailures {
            let (store, path) = try loadStore(path: path, vocabLimit: vocabLimit, cacheDir: nil)
            let rows: [(String, String)] = [
                ("store", path),
                ("name", store.metadata.name ?? "-"),
                ("source", store.metadata.source ?? "-"),
                ("license", store.metadata.license ?? "-"),
                ("words (V)", String(store.count)),
                ("dimension (D)", String(store.dimension)),
                ("vector norm", format(Summary(store.norms())!)),
            ]
            for (label, value) in rows { print(label.padding(toLength: 15, withPad: " ", startingAt: 0) + value) }
            guard store.count >= 2 else { return }

            let stats = NearestNeighborStatistics(index: ExactNeighborIndex(store: store), sampleSize: sample)
            let scope = stats.isComplete ? "all \(store.count) words" : "sample of \(stats.distances.count) words"
            print("nearest-neighbour distance (\(scope))")
            print("               " + format(stats.distances))
            print("               closest:  \(pair(store, stats.closestPair))")
            print("               farthest: \(pair(store, stats.loneliest))")
        }
    }

    private func format(_ summary: Summary) -> String {
        [("min", summary.minimum), ("median", summary.median), ("mean", summary.mean), ("max", summary.maximum)]
            .map { "\($0) \(fixed($1, digits: 4))" }.joined(separator: "  ")
    }

    private func pair(_ store: EmbeddingStore, _ pair: (word: Int, neighbor: Neighbor)) -> String {
        "'\(store.words[pair.word])' → '\(store.words[pair.neighbor.id])' (\(fixed(pair.neighbor.distance, digits: 4)))"
    }
}
