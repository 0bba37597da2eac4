import ArgumentParser

struct EmbeddingsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embeddings",
        abstract: "Import and inspect embedding stores.",
        subcommands: [EmbeddingsImportCommand.self, EmbeddingsInfoCommand.self, EmbeddingsCheckCommand.self]
    )
}
