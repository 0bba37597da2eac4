import ArgumentParser

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure performance on a real store (build with -c release).",
        subcommands: [SuiteBenchCommand.self, PrivatizeBenchCommand.self, NeighborsBenchCommand.self, HNSWBenchCommand.self]
    )
}
