import ArgumentParser
import DPText
import Foundation

/// `--embeddings` and `--vocab-limit`: how every command opens a store.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "HDF5 embedding store (default: the bundled \(BundledStore.fileName), or $\(BundledStore.environmentVariable)).",
        valueName: "path"))
    var embeddings: String?

    @Option(name: .long, help: ArgumentHelp(
        "Keep only the first N words of the store (its N most frequent, for GloVe).", valueName: "N"))
    var vocabLimit: Int?

    func validate() throws {
        if let vocabLimit, vocabLimit < 1 {
            throw ValidationError("--vocab-limit must be at least 1 (got \(vocabLimit)).")
        }
    }

    func load() throws -> (store: EmbeddingStore, path: String) {
        try loadStore(path: embeddings, vocabLimit: vocabLimit)
    }

    /// The store's word vocabulary (`EmbeddingStore.loadWordVocabulary`): what
    /// privatization and evaluation work with.
    func loadVocabulary() throws -> (vocabulary: EmbeddingStore, storeWords: Int, path: String) {
        let path = try embeddings ?? BundledStore.locate()
        try StoreGuard.check(path, vocabLimit: vocabLimit)
        let (vocabulary, storeWords) = try EmbeddingStore.loadWordVocabulary(from: path, vocabLimit: vocabLimit)
        return (vocabulary, storeWords, path)
    }

    /// The word vocabulary with its shared resources, cached on disk in
    /// `cacheFolder` (default `~/.cache/dptext`), progress on stderr.
    ///
    /// - Parameter screeningDepth: the exact index's principal-axes screening
    ///   (`ExactNeighborIndex`): nil for the default, 0 for brute force.
    func loadResources(cacheFolder: String?, progress: CacheProgress, screeningDepth: Int? = nil) throws
        -> (resources: VocabularyResources, storeWords: Int, path: String) {
        let (vocabulary, storeWords, path) = try loadVocabulary()
        let index = screeningDepth.map { ExactNeighborIndex(store: vocabulary, screeningDepth: $0 == 0 ? nil : $0) }
        let resources = VocabularyResources(
            vocabulary: vocabulary, index: index, storePath: path,
            cacheFolder: cacheFolder ?? MechanismOptions.defaultCacheFolder, progress: progress.update)
        return (resources, storeWords, path)
    }
}

/// Opens the store at `path`, or the bundled store when `path` is nil.
func loadStore(path: String?, vocabLimit: Int?) throws -> (store: EmbeddingStore, path: String) {
    let path = try path ?? BundledStore.locate()
    try StoreGuard.check(path, vocabLimit: vocabLimit)
    return (try EmbeddingStore.load(from: path, vocabLimit: vocabLimit), path)
}

/// Finds the store shipped in the repository's `Embeddings/` folder.
enum BundledStore {
    static let fileName = "glove-6B-50d-50k.h5"
    static let environmentVariable = "DPTEXT_EMBEDDINGS"

    /// `$DPTEXT_EMBEDDINGS` if set; else `Embeddings/<fileName>` in the
    /// folder of the executable or any folder above it (so a built
    /// `.build/release/dptext` finds the checkout's store), then likewise
    /// from the working directory.
    static func locate() throws -> String {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment[environmentVariable], !path.isEmpty { return path }
        let executable = (Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])).resolvingSymlinksInPath()
        let starts = [executable.deletingLastPathComponent(),
                      URL(fileURLWithPath: FileManager.default.currentDirectoryPath)]
        for start in starts {
            var folder = start.standardizedFileURL
            while true {
                let candidate = folder.appendingPathComponent("Embeddings").appendingPathComponent(fileName).path
                if FileManager.default.fileExists(atPath: candidate) { return candidate }
                let parent = folder.deletingLastPathComponent()
                if parent.path == folder.path { break }
                folder = parent
            }
        }
        throw Failure(
            message: "no --embeddings given and the bundled store Embeddings/\(fileName) was not found. "
                + "Pass --embeddings PATH or set \(environmentVariable).",
            status: ExitStatus.noInput)
    }
}
