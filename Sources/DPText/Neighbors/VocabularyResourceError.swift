/// Why a resource computed from the public vocabulary (an extent, a
/// neighbour table, a partition) could not be built.
public enum VocabularyResourceError: Error, Equatable, CustomStringConvertible {
    /// The resource needs at least `needed` words; the vocabulary has `count`.
    case tooFewWords(count: Int, needed: Int, resource: String)

    public var description: String {
        switch self {
        case .tooFewWords(let count, let needed, let resource):
            return "\(resource) needs a vocabulary of at least \(needed) words (got \(count))."
        }
    }
}
