import Foundation

/// A folder that only its owner — this user — can change, as ssh requires
/// of `~/.ssh`: the cache folder and the folder of the cache key. A folder
/// that other users can write lets them replace, rename or delete what is
/// in it; dptext refuses such a folder rather than trusting it.
enum OwnerOnlyFolder {
    enum Purpose {
        case cache, keyFolder

        var advice: String {
            switch self {
            case .cache: return "or " + CacheError.anotherFolder
            case .keyFolder: return "or set \(CacheKey.environmentVariable) to a key file in a folder of your own"
            }
        }
    }

    /// Creates `path` (and missing parents) when it does not exist, the
    /// folder itself with mode 0700, then checks it.
    static func prepare(_ path: String, purpose: Purpose) throws(CacheError) {
        var status = stat()
        if stat(path, &status) != 0 {
            do {
                try FileManager.default.createDirectory(
                    atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw .unusableFolder(path: path, reason: "it cannot be created (\(Self.reason(of: error)))",
                                      advice: purpose.advice)
            }
        }
        try check(path, purpose: purpose)
    }

    /// Throws unless `path` is a folder owned by this user that no one else can write.
    static func check(_ path: String, purpose: Purpose) throws(CacheError) {
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw .unusableFolder(path: path, reason: String(cString: strerror(errno)), advice: purpose.advice)
        }
        guard (status.st_mode & S_IFMT) == S_IFDIR else {
            throw .unusableFolder(path: path, reason: "it is not a folder", advice: purpose.advice)
        }
        guard status.st_uid == geteuid() else {
            throw .unusableFolder(path: path, reason: "it belongs to another user (uid \(status.st_uid)), who could "
                                      + "replace what dptext keeps there", advice: purpose.advice)
        }
        guard status.st_mode & 0o022 == 0 else {
            throw .unusableFolder(
                path: path, reason: "other users can write it (mode \(String(status.st_mode & 0o777, radix: 8))) and so "
                    + "replace what dptext keeps there; run chmod go-w \(path)", advice: purpose.advice)
        }
    }

    private static func reason(of error: Error) -> String {
        (error as NSError).localizedDescription
    }
}
