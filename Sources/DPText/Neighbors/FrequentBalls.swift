import Foundation

/// The words of the balls an index is asked to search often, kept so that
/// their queries rank those words directly instead of searching the whole
/// vocabulary.
///
/// A distance cap (`TruncatedLaplaceMechanism`) restricts each token's
/// search to the ball around its input word, so a text's frequent words ask
/// for the same few balls again and again. Once a ball has been asked for
/// `findAt` times (this batch's queries included), its words are found —
/// sixteen balls per pass of the screen, over the window of words their
/// radii can reach — and kept when it holds at most a sixteenth of the
/// vocabulary (the screen scores sixteen queries per word it reads, so a
/// wider ball costs more to rank than to search) and the balls kept hold
/// at most `capacity` word ids in all (a bound on memory). Nothing here
/// changes an answer: a kept ball's words are exactly the ball's, and
/// ranking them is the search among them.
final class FrequentBalls: @unchecked Sendable {
    static let capacity = 1 << 23

    /// A kept ball's words in id order, and a number that tells kept balls apart.
    struct Kept {
        let number: Int
        let words: [Int32]
    }

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

    /// The request at which a ball's words are found (`findAt(dimension:)`).
    let findAt: Int
    private let vocabularySize: Int
    private let lock = NSLock()
    private var requests: [Key: Int] = [:]
    private var kept: [Key: (center: [Double], ball: Kept)] = [:]
    /// Balls found too wide to keep (or past `capacity`): never found again.
    private var refused: Set<Key> = []
    private var keptCount = 0

    init(vocabularySize: Int, findAt: Int) {
        (self.vocabularySize, self.findAt) = (vocabularySize, findAt)
    }

    /// The first request where the screen reads whole vectors (D > 64: no
    /// window of y₁ prunes there, and a search among a ball's words starts
    /// from a loose bound, its member's distance, so it costs more than
    /// finding the ball with fifteen others and ranking it); the second
    /// elsewhere (on 50d stores a search is cheap and single requests are
    /// many). On 36,000 tokens of a novel at ε = 10 this ran the distance cap
    /// fastest of the 1st, 2nd and 4th request on each of the three stores
    /// (on 300d 20,000 tokens/s against 18,000 at the 4th; on 50d the 2nd and
    /// 4th tie, the 1st is about 10 % slower).
    static func findAt(dimension: Int) -> Int {
        dimension > 64 ? 1 : 2
    }

    /// Each ball's kept words, in id order (nil: no ball, or not kept),
    /// after counting this request and finding, with `find` (each ball's
    /// words in id order), those of the balls asked for `findAt` times now.
    func words(of balls: [NeighborBall?], find: ([NeighborBall]) -> [[Int]]) -> [Kept?] {
        let due: [NeighborBall] = lock.withLock {
            var due: [Key: NeighborBall] = [:]
            for case let ball? in balls {
                let key = Key(ball)
                guard kept[key] == nil, !refused.contains(key) else { continue }
                requests[key, default: 0] += 1
                // Past findAt too: another thread may be finding it now, and finding it
                // again costs far less than searching the vocabulary for its queries.
                if requests[key]! >= findAt { due[key] = ball }
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
                    kept[Key(ball)] = (ball.center, Kept(number: kept.count, words: words.map(Int32.init)))
                    keptCount += words.count
                }
            }
        }
        return lock.withLock { balls.map { $0.flatMap(keptBall) } }
    }

    /// `ball` as kept, if it is (call with the lock held).
    private func keptBall(_ ball: NeighborBall) -> Kept? {
        kept[Key(ball)].flatMap { $0.center == ball.center ? $0.ball : nil }
    }

    /// The kept words of `ball` in id order (nil: not kept).
    func kept(_ ball: NeighborBall) -> [Int]? {
        lock.withLock { keptBall(ball)?.words.map(Int.init) }
    }
}
