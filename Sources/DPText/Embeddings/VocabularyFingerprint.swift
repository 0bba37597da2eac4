import Crypto
import Foundation

/// What identifies a vocabulary for the files computed from it and cached
/// on disk (vocabulary extents, neighbour tables): the SHA-256 of the store
/// file it was read from, its word count, and the SHA-256 of its word list
/// (a vocabulary may be a prefix or a filtered subset of the file).
public struct VocabularyFingerprint: Sendable, Equatable {
    public let storeSHA256: String
    public let wordCount: Int
    public let wordsSHA256: String

    /// Hashes the store file (one pass over it) and the words of `store`.
    public init(store: EmbeddingStore, storePath: String) throws {
        storeSHA256 = try sha256Hex(ofFileAt: storePath)
        wordCount = store.count
        wordsSHA256 = Self.wordsSHA256(store.words)
    }

    /// `<kind>-<store SHA-256>-<V>-<first 16 hex digits of the words' SHA-256>.<ext>`.
    public func fileName(kind: String, extension ext: String) -> String {
        "\(kind)-\(storeSHA256)-\(wordCount)-\(wordsSHA256.prefix(16)).\(ext)"
    }

    /// SHA-256 (hex) of `words` joined by "\n".
    public static func wordsSHA256(_ words: [String]) -> String {
        var hasher = SHA256()
        for (index, word) in words.enumerated() {
            if index > 0 { hasher.update(data: Data([0x0A])) }
            hasher.update(data: Data(word.utf8))
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
