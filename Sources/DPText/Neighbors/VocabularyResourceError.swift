/// Why a resource computed from the public vocabulary (an extent, a
/// neighbour table, a partition) could not be built or kept.
public enum VocabularyResourceError: Error, Equatable, CustomStringConvertible {
    /// The resource needs at least `needed` words; the vocabulary has `count`.
    case tooFewWords(count: Int, needed: Int, resource: String)
    /// The cache file could not be written.
    case cacheWriteFailed(path: String, resource: String, detail: String)

    public var description: String {
        switch self {
        case .tooFewWords(let count, let needed, let resource):
            return "\(resource) needs a vocabulary of at least \(needed) words (got \(count))."
        case .cacheWriteFailed(let path, let resource, let detail):
            return "\(path): cannot save the \(resource) (\(detail)); "
                + "check the cache folder is writable, or choose another with --cache-dir."
        }
    }
}
