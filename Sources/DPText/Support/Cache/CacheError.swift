/// Why a cache folder or the key that signs it cannot be used.
public enum CacheError: Error, Equatable, CustomStringConvertible {
    /// The key file is unsafe: others could read or change it.
    case unsafeKey(path: String, reason: String)
    /// The key file cannot be read or created.
    case keyUnavailable(path: String, reason: String)
    /// The folder cannot be created, or others could change what is in it.
    case unusableFolder(path: String, reason: String, advice: String)
    /// A cache file cannot be written.
    case writeFailed(path: String, reason: String)

    /// What to do about a cache folder that cannot be used, in the library's words.
    public static let anotherFolder = "choose another cache folder"

    public var description: String {
        switch self {
        case .unsafeKey(let path, let reason):
            return "\(path): the key that signs dptext's caches is unsafe: \(reason)."
        case .keyUnavailable(let path, let reason):
            return "\(path): the key that signs dptext's caches cannot be read or created (\(reason)); set "
                + "\(CacheKey.environmentVariable) to a file path in a folder of your own."
        case .unusableFolder(let path, let reason, let advice):
            return "\(path): cannot be used as a cache folder: \(reason); \(advice)."
        case .writeFailed(let path, let reason):
            return "\(path): cannot save this cache file (\(reason)); check the cache folder is writable, "
                + "or \(Self.anotherFolder)."
        }
    }
}
