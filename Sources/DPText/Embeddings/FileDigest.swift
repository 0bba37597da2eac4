import Crypto
import Foundation

/// The SHA-256 of a file, as 64 lower-case hex digits: identifies exactly
/// which embeddings a run used, since ε only means something next to them.
public func sha256Hex(ofFileAt path: String) throws -> String {
    guard let handle = FileHandle(forReadingAtPath: path) else {
        throw EmbeddingStoreError.unreadable(path: path, reason: "cannot open it to compute its SHA-256")
    }
    defer { try? handle.close() }
    var hasher = SHA256()
    while let chunk = try handle.read(upToCount: 1 << 22), !chunk.isEmpty {
        hasher.update(data: chunk)
    }
    return hasher.finalize().map { String(format: "%02x", $0) }.joined()
}

/// The SHA-256 of `data`, as 64 lower-case hex digits.
public func sha256Hex(of data: some DataProtocol) -> String {
    SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
}
