import Crypto
import Foundation

/// The secret that signs this user's dptext caches (`CacheFolder`): 32
/// random bytes in a file only its owner can read, kept outside every cache
/// folder, so that a cache file can be trusted only when this user's dptext
/// wrote it.
///
/// Where it lives: `$DPTEXT_CACHE_KEY` when set (a path; the Spark job gives
/// each executor the key of the job's caches this way), else
/// `$XDG_CONFIG_HOME/dptext/cache.key`, else `~/.config/dptext/cache.key`.
/// It is created on first use (swift-crypto's `SymmetricKey(size: .bits256)`,
/// from the system CSPRNG), with mode 0600 in a folder only its owner can
/// write. Like ssh with a private key, dptext refuses a key file that other
/// users can read or write, or that another user owns.
public struct CacheKey: Sendable {
    /// The key's bytes (`SymmetricKey` is not `Sendable`; it is rebuilt per use).
    let bytes: [UInt8]

    public static let environmentVariable = "DPTEXT_CACHE_KEY"
    static let size = 32

    /// A key with these bytes (tests; the Spark job ships one per run).
    public init(bytes: [UInt8]) {
        precondition(bytes.count == Self.size, "a cache key has \(Self.size) bytes")
        self.bytes = bytes
    }

    /// A new random key (not saved).
    public static func random() -> CacheKey {
        CacheKey(bytes: SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) })
    }

    var symmetricKey: SymmetricKey { SymmetricKey(data: bytes) }

    /// Where the key file is, from the environment (see the type's documentation).
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let path = environment[environmentVariable], !path.isEmpty { return path }
        let configuration = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".config").path
        return URL(fileURLWithPath: configuration).appendingPathComponent("dptext/cache.key").path
    }

    /// The key in the file at `path`, created there when there is none.
    ///
    /// - Throws: `CacheError.unsafeKey` for a key file or folder others
    ///   could read or change; `CacheError.keyUnavailable` when the file
    ///   cannot be read or created.
    public static func loadOrCreate(at path: String) throws(CacheError) -> CacheKey {
        if let key = try load(from: path) { return key }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try OwnerOnlyFolder.prepare(folder, purpose: .keyFolder)
        let key = random()
        // Written whole under a temporary name, then linked into place: a
        // process that races this one reads either no key or the whole key,
        // and the first key linked wins.
        let temporary = "\(path).\(getpid()).new"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .keyUnavailable(path: path, reason: String(cString: strerror(errno))) }
        defer { unlink(temporary) }
        let written = key.bytes.withUnsafeBytes { write(descriptor, $0.baseAddress!, $0.count) }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard written == size, synced else {
            throw .keyUnavailable(path: path, reason: "cannot write it (\(String(cString: strerror(errno))))")
        }
        if link(temporary, path) != 0 && errno != EEXIST {
            throw .keyUnavailable(path: path, reason: String(cString: strerror(errno)))
        }
        guard let stored = try load(from: path) else {
            throw .keyUnavailable(path: path, reason: "it vanished while it was being created")
        }
        return stored
    }

    /// The key at `path`, nil when there is no file there.
    static func load(from path: String) throws(CacheError) -> CacheKey? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT { return nil }
            throw .keyUnavailable(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw .keyUnavailable(path: path, reason: String(cString: strerror(errno)))
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw .unsafeKey(path: path, reason: "it is not a regular file")
        }
        guard status.st_uid == geteuid() else {
            throw .unsafeKey(path: path, reason: "it belongs to another user (uid \(status.st_uid))")
        }
        guard status.st_mode & 0o077 == 0 else {
            throw .unsafeKey(path: path, reason: "its permissions \(String(status.st_mode & 0o777, radix: 8)) let other "
                                 + "users read or change it; run chmod 600 \(path)")
        }
        try OwnerOnlyFolder.check(URL(fileURLWithPath: path).deletingLastPathComponent().path, purpose: .keyFolder)
        var bytes = [UInt8](repeating: 0, count: size + 1)
        let count = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress!, $0.count) }
        guard count == size else {
            throw .unsafeKey(path: path, reason: "it holds \(max(count, 0)) bytes, not \(size); delete it and dptext "
                                 + "makes a new one (every cache is then rebuilt)")
        }
        return CacheKey(bytes: Array(bytes.prefix(size)))
    }
}
