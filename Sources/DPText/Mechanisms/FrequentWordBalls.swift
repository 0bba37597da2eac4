import Foundation

/// The balls of the input words a distance cap meets often, kept so that a
/// token of such a word ranks its ball's words directly instead of
/// searching the vocabulary (`TruncatedLaplaceMechanism`).
///
/// A ball is found by one exact scan of the vocabulary (`VocabularyScan`,
/// the distances every search uses, so membership is exact) at a word's
/// `findAt`-th token: in 300d a scan costs about as much as a dozen of the
/// word's searches, and on 36,000 tokens of a novel scanning at the 32nd
/// token ran the distance cap 1.5 times as fast as never scanning, and
/// faster than scanning at the 8th or the 64th. A ball is kept only when ranking it costs
/// less than a search — at most a sixteenth of the vocabulary, since the
/// screen scores sixteen queries per word it reads — and while the balls kept
/// hold at most `capacity` word ids (a bound on memory, not on correctness:
/// a word whose ball is not kept is searched). Either way the output is the
/// same word: the ball's nearest to the point, ties by lower id.
final class FrequentWordBalls: @unchecked Sendable {
    static let findAt = 32
    static let capacity = 1 << 23
    private let lock = NSLock()
    private var tokens: [Int: Int] = [:]
    private var balls: [Int: [Int]] = [:]
    private var kept = 0

    /// The ball of `word` (its vector `center`, radius `radius`) when it is kept, counting the token.
    func members(of word: Int, at center: [Double], radius: Double, in store: EmbeddingStore) -> [Int]? {
        let (found, seen): ([Int]?, Int) = lock.withLock {
            if let ball = balls[word] { return (ball, 0) }
            tokens[word, default: 0] += 1
            return (nil, tokens[word]!)
        }
        guard found == nil, seen == Self.findAt else { return found }
        let members = VocabularyScan.words(within: radius, of: center, in: store)
        guard members.count * 16 <= store.count else { return nil }
        return lock.withLock {
            guard kept + members.count <= Self.capacity else { return nil }
            balls[word] = members
            kept += members.count
            return members
        }
    }
}
