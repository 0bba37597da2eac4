import Foundation
@testable import DPText

/// Paths and generated data shared by the tests.
enum TestData {
    /// A committed h5py-written fixture (see Fixtures/README.md).
    static func fixture(_ name: String) -> String {
        Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil)!.path
    }

    /// The repository's root folder.
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The committed default store (GloVe 6B 50d, 50,000 words).
    static let bundledStore = repository.appendingPathComponent("Embeddings/glove-6B-50d-50k.h5").path

    /// A fresh empty folder, removed by the caller with `cleanUp`.
    static func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("dptext-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    static func cleanUp(_ folder: URL) {
        try? FileManager.default.removeItem(at: folder)
    }

    /// A cache folder at `url` signed with a fixed test key (not the user's).
    static func cacheFolder(_ url: URL, warn: @escaping @Sendable (String) -> Void = { _ in }) throws -> CacheFolder {
        try CacheFolder(path: url.path, key: CacheKey(bytes: Array(repeating: 7, count: 32)), warn: warn)
    }

    /// A store of `count` words "w0", "w1", … with Gaussian vectors.
    static func randomStore(count: Int, dimension: Int, seed: UInt64) -> EmbeddingStore {
        var generator = SeededGenerator(seed: seed)
        let vectors = (0..<count * dimension).map { _ in Float(gaussian(using: &generator)) }
        return try! EmbeddingStore(words: (0..<count).map { "w\($0)" }, vectors: vectors, dimension: dimension)
    }

    /// A standard normal draw (Box–Muller), for generating test data only.
    static func gaussian(using generator: inout SeededGenerator) -> Double {
        let u = Double.random(in: Double.ulpOfOne..<1, using: &generator)
        let v = Double.random(in: 0..<1, using: &generator)
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }
}
