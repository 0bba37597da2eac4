import ArgumentParser
import DPText
import Foundation

/// `--embeddings`, `--vocab-limit` and `--cache-dir`: how every command
/// opens a store and the caches computed from it.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "HDF5 embedding store (default: the bundled \(BundledStore.fileName), or $\(BundledStore.environmentVariable)).",
        valueName: "path"))
    var embeddings: String?

    @Option(name: .long, help: ArgumentHelp(
        "Keep only the first N words of the store (its N most frequent, for GloVe).", valueName: "N"))
    var vocabLimit: Int?

    @Option(help: ArgumentHelp(
        "Folder for cached extents, neighbour tables, partitions and HNSW graphs, signed with your key "
            + "(default $XDG_CACHE_HOME/dptext or ~/.cache/dptext; it must be writable by you alone).",
        valueName: "folder"))
    var cacheDir: String?

    func validate() throws {
        if let vocabLimit, vocabLimit < 1 {
            throw ValidationError("--vocab-limit must be at least 1 (got \(vocabLimit)).")
        }
    }

    func load() throws -> (store: EmbeddingStore, path: String) {
        try loadStore(path: embeddings, vocabLimit: vocabLimit, cacheDir: cacheDir)
    }

    /// The cache folder (`--cache-dir`, else the default), signed with this
    /// user's key; nil, with a warning, when no key can be kept (caches are
    /// then computed in memory only).
    func cacheFolder() throws -> CacheFolder? {
        try openCacheFolder(cacheDir)
    }

    /// The store's word vocabulary (`EmbeddingStore.loadWordVocabulary`): what
    /// privatization and evaluation work with.
    func loadVocabulary() throws -> (vocabulary: EmbeddingStore, storeWords: Int, path: String) {
        let path = try embeddings ?? BundledStore.locate()
        try StoreGuard.check(path, vocabLimit: vocabLimit, cache: try cacheFolder())
        let (vocabulary, storeWords) = try EmbeddingStore.loadWordVocabulary(from: path, vocabLimit: vocabLimit)
        return (vocabulary, storeWords, path)
    }

    /// The word vocabulary with its shared resources, cached on disk in the
    /// cache folder, progress on stderr.
    ///
    /// - Parameter screeningDepth: the exact index's principal-axes screening
    ///   (`ExactNeighborIndex`): nil for the default, 0 for brute force.
    func loadResources(progress: CacheProgress, screeningDepth: Int? = nil) throws
        -> (resources: VocabularyResources, storeWords: Int, path: String) {
        let (vocabulary, storeWords, path) = try loadVocabulary()
        let index = screeningDepth.map { ExactNeighborIndex(store: vocabulary, screeningDepth: $0 == 0 ? nil : $0) }
        let resources = VocabularyResources(
            vocabulary: vocabulary, index: index, storePath: path, cache: try cacheFolder(), progress: progress.update)
        return (resources, storeWords, path)
    }
}

/// Opens the store at `path`, or the bundled store when `path` is nil.
func loadStore(path: String?, vocabLimit: Int?, cacheDir: String?) throws -> (store: EmbeddingStore, path: String) {
    let path = try path ?? BundledStore.locate()
    try StoreGuard.check(path, vocabLimit: vocabLimit, cache: try openCacheFolder(cacheDir))
    return (try EmbeddingStore.load(from: path, vocabLimit: vocabLimit), path)
}

/// The cache folder at `path` (default: `$XDG_CACHE_HOME/dptext`, else
/// `~/.cache/dptext`) signed with this user's key, rejected files reported on
/// stderr. When the key cannot be kept (no writable home), nil with a warning:
/// caches are then computed in memory. An unsafe key or folder is an error.
func openCacheFolder(_ path: String?) throws -> CacheFolder? {
    let result = Result { () throws(CacheError) in
        try CacheFolder.standard(path: path ?? defaultCacheFolder, warn: { warn($0) })
    }
    if case .failure(.keyUnavailable(let keyPath, let reason)) = result {
        warn("\(keyPath): no key to sign caches with (\(reason)); computing without disk caches. Set "
             + "\(CacheKey.environmentVariable) to a file path in a folder of your own to keep them.")
        return nil
    }
    return try result.get()
}

/// `$XDG_CACHE_HOME/dptext`, else `~/.cache/dptext`.
var defaultCacheFolder: String {
    let environment = ProcessInfo.processInfo.environment
    let base = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
        ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache").path
    return URL(fileURLWithPath: base).appendingPathComponent("dptext").path
}

/// Finds the bundled store: installed beside the binary, or in the
/// repository's `Embeddings/` folder. (`--embeddings` wins over all of this:
/// `loadStore` only asks here when it is absent.)
enum BundledStore {
    static let fileName = "glove-6B-50d-50k.h5"
    static let environmentVariable = "DPTEXT_EMBEDDINGS"

    /// `$DPTEXT_EMBEDDINGS` if set; else `<prefix>/share/dptext/<fileName>`
    /// for a binary installed as `<prefix>/bin/dptext` (Tools/install.sh), so
    /// an installed dptext finds its store from any folder; else
    /// `Embeddings/<fileName>` in the folder of the executable or any folder
    /// above it (so a built `.build/release/dptext` finds the checkout's
    /// store), then likewise from the working directory.
    static func locate() throws -> String {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment[environmentVariable], !path.isEmpty { return path }
        // Symlinks resolved: a `/usr/local/bin/dptext` linked to an install
        // elsewhere finds the store of the install it belongs to.
        let executable = (Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])).resolvingSymlinksInPath()
        let installed = executable.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("share/dptext").appendingPathComponent(fileName).standardizedFileURL.path
        if FileManager.default.fileExists(atPath: installed) { return installed }
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
            message: "no --embeddings given and the bundled store was found neither at \(installed) "
                + "nor as Embeddings/\(fileName) above the binary or the working folder. "
                + "Pass --embeddings PATH or set \(environmentVariable).",
            status: ExitStatus.noInput)
    }
}
