import Foundation

/// The words of the balls an index is asked to search often, kept so that
/// their queries rank those words directly instead of searching the whole
/// vocabulary.
///
/// A distance cap (`TruncatedLaplaceMechanism`) restricts each token's
/// search to the ball around its input word, so a text's frequent words ask
/// for the same few balls again and again. Once a ball has been asked for
/// `findAt` times (this batch's queries included), its words are found —
/// sixteen balls per pass of the screen — and kept when it holds at most a
/// sixteenth of the vocabulary (the screen scores sixteen queries per word
/// it reads, so a wider ball costs more to rank than to search) and the
/// balls kept hold at most `capacity` word ids in all (a bound on memory).
/// On 36,000 tokens of a novel, finding at the 4th request ran the distance
/// cap faster than at the 2nd or the 8th on the 50d and 300d stores. Nothing
/// here changes an answer: a kept ball's words are exactly the ball's, and
/// ranking them is the search among them.
final class FrequentBalls: @unchecked Sendable {
    static let findAt = 4
    static let capacity = 1 << 23

    /// A ball's identity for counting requests. Two balls that share it
    /// (a hash collision of their centres) only share a count: a kept ball
    /// is matched by its whole centre.
    private struct Key: Hashable {
        let member: Int
        let radius: Double
        let center: Int

        init(_ ball: NeighborBall) {
            (member, radius, center) = (ball.member, ball.radius, ball.center.hashValue)
        }
    }

    private let vocabularySize: Int
    private let lock = NSLock()
    private var requests: [Key: Int] = [:]
    private var kept: [Key: (center: [Double], words: [Int32])] = [:]
    /// Balls found too wide to keep (or past `capacity`): never found again.
    private var refused: Set<Key> = []
    private var keptCount = 0

    init(vocabularySize: Int) {
        self.vocabularySize = vocabularySize
    }

    /// Each ball's kept words, in id order (nil: no ball, or not kept),
    /// after counting this request and finding, with `find` (each ball's
    /// words in id order), those of the balls asked for `findAt` times now.
    func words(of balls: [NeighborBall?], find: ([NeighborBall]) -> [[Int]]) -> [[Int32]?] {
        let due: [NeighborBall] = lock.withLock {
            var due: [Key: NeighborBall] = [:]
            for case let ball? in balls {
                let key = Key(ball)
                guard kept[key] == nil, !refused.contains(key) else { continue }
                requests[key, default: 0] += 1
                // Past findAt too: another thread may be finding it now, and finding it
                // again costs far less than searching the vocabulary for its queries.
                if requests[key]! >= Self.findAt { due[key] = ball }
            }
            return Array(due.values)
        }
        if !due.isEmpty {
            let found = find(due)
            lock.withLock {
                for (ball, words) in zip(due, found) where kept[Key(ball)] == nil {
                    guard words.count * 16 <= vocabularySize && keptCount + words.count <= Self.capacity else {
                        refused.insert(Key(ball))
                        continue
                    }
                    kept[Key(ball)] = (ball.center, words.map(Int32.init))
                    keptCount += words.count
                }
            }
        }
        return lock.withLock { balls.map { $0.flatMap(keptWords) } }
    }

    /// The kept words of `ball`, if it is kept (call with the lock held).
    private func keptWords(_ ball: NeighborBall) -> [Int32]? {
        kept[Key(ball)].flatMap { $0.center == ball.center ? $0.words : nil }
    }

    /// The kept words of `ball` in id order (nil: not kept).
    func kept(_ ball: NeighborBall) -> [Int]? {
        lock.withLock { keptWords(ball)?.map(Int.init) }
    }
}
