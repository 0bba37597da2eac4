import Foundation

extension HNSWNeighborIndex {
    /// The HNSW graph of `store`, loaded from `cacheFolder` when it was built
    /// before with the same construction parameters, else built (over
    /// `parameters.insertionThreads` threads) and saved there.
    ///
    /// The file is keyed by the vocabulary's fingerprint and `M`,
    /// `efConstruction` and the seed; `load` checks it against the store
    /// vector by vector, and a file that fails any check is rebuilt.
    public static func cached(
        store: EmbeddingStore, fingerprint: VocabularyFingerprint, parameters: Parameters, cacheFolder: String
    ) throws -> HNSWNeighborIndex {
        let folder = URL(fileURLWithPath: cacheFolder, isDirectory: true)
        let kind = "hnsw-m\(parameters.m)-efc\(parameters.efConstruction)-seed\(parameters.randomSeed)"
        let file = folder.appendingPathComponent(fingerprint.fileName(kind: kind, extension: "bin")).path
        if FileManager.default.fileExists(atPath: file),
           let index = try? load(from: file, store: store, efSearch: parameters.efSearch) {
            return index
        }
        let index = try HNSWNeighborIndex(store: store, parameters: parameters)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try index.save(to: file)
        return index
    }
}
