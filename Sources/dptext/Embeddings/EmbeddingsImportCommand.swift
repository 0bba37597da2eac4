import ArgumentParser
import DPText
import Foundation

struct EmbeddingsImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Convert GloVe or word2vec text embeddings into an HDF5 store.",
        discussion: """
            The format is detected from the first line: a line of two integers `V D` is a \
            word2vec header, anything else starts GloVe rows (`word v1 … vD`).
            """
    )

    @Argument(help: ArgumentHelp("GloVe or word2vec text file.", valueName: "source"))
    var source: String

    @Option(name: .shortAndLong, help: ArgumentHelp("HDF5 store to write.", valueName: "path"))
    var output: String

    @Option(help: "Descriptive name stored in the file.")
    var name: String?

    @Option(help: "Provenance stored in the file (where the vectors come from).")
    var origin: String?

    @Option(help: "License of the vectors, stored in the file.")
    var license: String?

    func run() throws {
        try reportingFailures {
            guard !sameFile(source, output) else {
                throw Failure(message: "\(output): the output would overwrite the input. Choose another -o path.",
                              status: ExitStatus.cannotCreate)
            }
            let metadata = EmbeddingStore.Metadata(
                name: name ?? URL(fileURLWithPath: source).deletingPathExtension().lastPathComponent,
                source: origin ?? "imported from \(URL(fileURLWithPath: source).lastPathComponent)",
                license: license)
            let imported = try TextEmbeddingImporter.load(from: source, metadata: metadata)
            try imported.store.write(to: output)
            print("\(output): \(imported.store.count) words, D = \(imported.store.dimension), from \(imported.format.rawValue) text")
        }
    }
}
