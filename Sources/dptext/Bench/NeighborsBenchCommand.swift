import ArgumentParser
import DPText

struct NeighborsBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "neighbors",
        abstract: "Time opening a store and exact batched k-NN queries.",
        discussion: """
            Opens the store, builds the exact index, then runs one batch of queries per k: \
            vectors of uniformly sampled vocabulary words (fixed seed). Reports seconds, \
            queries per second and the process's peak resident memory.
            """
    )

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: "Queries per batch (1–1000000).")
    var queries = 2000

    @Option(name: .short, parsing: .upToNextOption, help: "Neighbours per query (several allowed; 1–10000).")
    var k: [Int] = [10, 100]

    func validate() throws {
        try OptionRanges.require("--queries", queries, in: OptionRanges.sampleWords)
        for k in k { try OptionRanges.require("-k", k, in: OptionRanges.neighbors) }
    }

    func run() throws {
        try reportingFailures {
            let ((store, path), openSeconds) = try timed { try storeOptions.load() }
            let memoryAfterOpen = peakResidentBytes()
            let (index, indexSeconds) = timed { ExactNeighborIndex(store: store) }
            print("store          \(path) (V = \(store.count), D = \(store.dimension))")
            print("open           \(fixed(openSeconds, digits: 3)) s, peak RSS \(megabytes(memoryAfterOpen))")
            print("index build    \(fixed(indexSeconds, digits: 3)) s")

            var generator = SeededGenerator(seed: 2026)
            let ids = (0..<queries).map { _ in Int.random(in: 0..<store.count, using: &generator) }
            let batch = ids.flatMap { store.vector(at: $0) }
            for k in k {
                let (_, seconds) = timed { index.nearest(toEach: batch, k: k) }
                print("k = \(rightAligned(String(k), 4))       \(queries) queries in \(fixed(seconds, digits: 3)) s = "
                      + "\(fixed(Double(queries) / seconds, digits: 0)) queries/s")
            }
            print("peak RSS       \(megabytes(peakResidentBytes())) (vector matrix \(megabytes(store.vectors.count * 4)))")
        }
    }
}
