import Crypto
import Foundation

/// A folder of files dptext computed from public data and kept to save
/// time — extents, neighbour tables, partitions, HNSW graphs — where a file
/// is used only if this user's dptext wrote it.
///
/// A cache steers a mechanism (a neighbour table decides which words a
/// sampler weighs one by one; a partition decides which words CusText may
/// output), so a file someone else wrote could switch privacy off while
/// every check of its shape passes. Hence every file ends with an
/// HMAC-SHA-256 tag (swift-crypto) of its name and its content under this
/// user's secret `CacheKey`:
///
///     file = payload ‖ HMAC(key, "dptext cache v1" ‖ 0 ‖ name ‖ 0 ‖ payload)
///
/// The name binds the content to what it claims to be (the kind, the
/// store's SHA-256, the width), so a valid file cannot stand in for another.
/// A file whose tag does not verify — written by another user or an older
/// dptext, or changed since — is never used: `load` reports it and removes
/// it, and the caller computes the resource again (and saves it) when it
/// needs it. The folder itself must be one
/// that only this user can write (`OwnerOnlyFolder`).
public struct CacheFolder: Sendable {
    public let path: String
    let key: CacheKey
    /// Told when a file is rejected, with a sentence saying which and why.
    let warn: @Sendable (String) -> Void

    /// The size of the tag at the end of every file.
    static let tagSize = 32

    /// Opens (creating it when missing) the folder at `path`, signing with `key`.
    ///
    /// - Throws: `CacheError.unusableFolder` when it cannot be created or
    ///   other users could change what is in it.
    public init(path: String, key: CacheKey, warn: @escaping @Sendable (String) -> Void = { _ in }) throws(CacheError) {
        try OwnerOnlyFolder.prepare(path, purpose: .cache)
        self.path = path
        self.key = key
        self.warn = warn
    }

    /// The folder at `path` signed with this user's key (`CacheKey.defaultPath`), created on first use.
    public static func standard(path: String, warn: @escaping @Sendable (String) -> Void = { _ in }) throws(CacheError)
        -> CacheFolder {
        try CacheFolder(path: path, key: CacheKey.loadOrCreate(at: CacheKey.defaultPath()), warn: warn)
    }

    /// What `load` found.
    public enum Lookup: Equatable {
        /// No file of that name.
        case missing
        /// A file this user's dptext wrote: its payload.
        case valid(Data)
        /// A file that must not be used, and why (a clause: "its signature does not match …").
        case rejected(String)

        /// The payload of a valid file.
        public var payload: Data? {
            if case .valid(let payload) = self { return payload }
            return nil
        }
    }

    /// The file called `name`, checked (see the type's documentation).
    ///
    /// - Parameter removingRejected: whether a rejected file is reported
    ///   through `warn` and removed (as `load` does), or only described.
    public func lookUp(_ name: String, removingRejected: Bool = false) -> Lookup {
        let file = self.file(name)
        let reason: String
        if let data = FileManager.default.contents(atPath: file) {
            let payload = data.prefix(max(0, data.count - Self.tagSize))
            if data.count < Self.tagSize {
                reason = "it is too short to be signed"
            } else if tag(name: name, payload: payload) == data.suffix(Self.tagSize) {
                return .valid(Data(payload))
            } else {
                reason = "its signature does not match: it was not written by this user's dptext (or by an older "
                    + "version), or it changed since"
            }
        } else if FileManager.default.fileExists(atPath: file) {
            reason = "it cannot be read"
        } else {
            return .missing
        }
        if removingRejected {
            warn("\(file): not used, and removed: \(reason); dptext computes it again when it needs it")
            unlink(file)
        }
        return .rejected(reason)
    }

    /// The payload of `name` when it is there and valid, else nil; a file
    /// that is there but not valid is reported and removed (see `lookUp`).
    public func load(_ name: String) -> Data? { lookUp(name, removingRejected: true).payload }

    /// Saves `payload` as `name`, signed, replacing any file of that name atomically.
    public func save(_ name: String, _ payload: Data) throws(CacheError) {
        var data = payload
        data.append(contentsOf: tag(name: name, payload: payload))
        do {
            try data.write(to: URL(fileURLWithPath: file(name)), options: .atomic)
        } catch {
            throw .writeFailed(path: file(name), reason: (error as NSError).localizedDescription)
        }
    }

    /// The path of the file called `name`.
    public func file(_ name: String) -> String {
        URL(fileURLWithPath: path, isDirectory: true).appendingPathComponent(name).path
    }

    /// The names of the files in the folder (signed or not).
    public func names() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
    }

    private func tag(name: String, payload: Data) -> HMAC<SHA256>.MAC {
        var mac = HMAC<SHA256>(key: key.symmetricKey)
        mac.update(data: Array("dptext cache v1\u{0}\(name)\u{0}".utf8))
        mac.update(data: payload)
        return mac.finalize()
    }

}
