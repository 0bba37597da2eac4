import Foundation

extension HNSWNeighborIndex {
    /// The HNSW graph of `store`, loaded from `cache` when this user's
    /// dptext built it before with the same construction parameters, else
    /// built (over `parameters.insertionThreads` threads) and saved there.
    ///
    /// The file is keyed by the vocabulary's fingerprint and `M`,
    /// `efConstruction` and the seed, and signed (`CacheFolder`); `load`
    /// also checks it against the store vector by vector. A file that fails
    /// any check is rebuilt.
    public static func cached(
        store: EmbeddingStore, fingerprint: VocabularyFingerprint, parameters: Parameters, cache: CacheFolder
    ) throws -> HNSWNeighborIndex {
        let name = fileName(fingerprint: fingerprint, parameters: parameters)
        if let payload = cache.load(name),
           let index = try? withPrivateFile(holding: payload, in: cache, { try load(from: $0, store: store,
                                                                                  efSearch: parameters.efSearch) }) {
            return index
        }
        let index = try HNSWNeighborIndex(store: store, parameters: parameters)
        let payload = try withPrivateFile(holding: nil, in: cache) { path in
            try index.save(to: path)
            return try Data(contentsOf: URL(fileURLWithPath: path))
        }
        try cache.save(name, payload)
        return index
    }

    /// The graph in hnswlib's format, as a cache file holds it.
    func cachePayload() throws -> Data {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dptext-hnsw-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("graph.bin").path
        try save(to: file)
        return try Data(contentsOf: URL(fileURLWithPath: file))
    }

    /// The cache file's name.
    static func fileName(fingerprint: VocabularyFingerprint, parameters: Parameters) -> String {
        let kind = "hnsw-m\(parameters.m)-efc\(parameters.efConstruction)-seed\(parameters.randomSeed)"
        return fingerprint.fileName(kind: kind, extension: "bin")
    }

    /// Runs `body` on the path of a new file of this process in the cache
    /// folder (which only this user can write) holding `payload`, then
    /// deletes it: hnswlib reads and writes graphs only through file paths,
    /// and the graph it reads must be the bytes whose signature was checked.
    private static func withPrivateFile<T>(holding payload: Data?, in cache: CacheFolder,
                                           _ body: (String) throws -> T) throws -> T {
        let path = cache.file(".hnsw-\(getpid())-\(UUID().uuidString).tmp")
        defer { unlink(path) }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw CacheError.writeFailed(path: path, reason: String(cString: strerror(errno)))
        }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        if let payload { try handle.write(contentsOf: payload) }
        try handle.close()
        return try body(path)
    }
}
