import ArgumentParser

@main
struct DPTextCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dptext",
        abstract: "Rewrite text with differentially private word substitution.",
        subcommands: [PrivatizeCommand.self, EvaluateCommand.self, EmbeddingsCommand.self, NeighborsCommand.self, BenchCommand.self,
                      ReportCommand.self]
    )
}
