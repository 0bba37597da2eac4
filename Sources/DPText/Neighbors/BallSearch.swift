import Foundation

/// The word nearest to a point among the ball around a centre: the words
/// `u` with `d(center, u)² ≤ radius²`, plus the word nearest to `center`
/// (so that the ball of a public vector with no word in reach is not
/// empty; for a word's own vector that word is already in it).
///
/// As a `Draw`, so that the `Privatizer` batches its search with every
/// other token's: first the word nearest the point overall, which is the
/// answer when it is in the ball; else the ball's words, ranked exactly by
/// distance to the point (ties by lower id) — the first of the point's 32
/// nearest words that lies in a word's ball, when one does. The ball is found by one scan
/// of the vocabulary in double precision (the distances brute force uses,
/// so membership is exact); a vocabulary word's ball is public and the same
/// every time, so it is kept in `BallCache`. What the output-distance cap
/// needs (Mechanisms.md §3.2).
enum BallSearch {
    /// - Parameter word: the centre's word id, whose ball `cache` keeps (nil for another public vector).
    static func nearest(to point: [Double], amongWordsWithin radius: Double, of center: [Double], word: Int?,
                        cache: BallCache, in store: EmbeddingStore) -> Draw {
        let inBall: @Sendable (Int) -> Bool = { id in center.withUnsafeBufferPointer { store.squaredDistance(from: $0, to: id) <= radius * radius } }
        let amongBall: @Sendable (any NeighborIndex) -> Draw = { index in
            let members = word.flatMap(cache.members(of:)) ?? {
                // Around a word the word itself is in the ball (distance 0), so the ball is the words
                // within the radius, which the index finds (screened when it can).
                let members = word == nil ? ball(around: center, radius: radius, in: store)
                    : index.words(within: radius, of: center)
                if let word { cache.keep(members, of: word) }
                return members
            }()
            return .word(ExactRanking.nearest(in: store, among: members, to: point)!)
        }
        return .afterNeighbors(of: point, k: 1) { neighborhood in
            let overall = neighborhood.neighbors[0].id
            if inBall(overall) { return .word(overall) }
            // Around a word, the ball is the words within the radius (the word nearest the centre is
            // the word itself, at distance 0), so the first of the point's nearest words inside it is
            // the answer: a wide ball (the common case when the point falls outside it) usually holds
            // one of the next few, found in the batched search rather than by ranking the whole ball.
            guard word != nil else { return amongBall(neighborhood.index) }
            return .afterNeighbors(of: point, k: nearbyWords) { nearby in
                nearby.neighbors.first { inBall($0.id) }.map { .word($0.id) } ?? amongBall(nearby.index)
            }
        }
    }

    /// How many of the point's nearest words are tried before the ball is ranked.
    static let nearbyWords = 32

    /// Every word within `radius` of `center`, and the word nearest to it (ties by lower id).
    static func ball(around center: [Double], radius: Double, in store: EmbeddingStore) -> [Int] {
        var nearest = (squaredDistance: Double.infinity, id: 0)
        let members = VocabularyScan.words(within: radius, of: center, in: store) { squared, id in
            if squared < nearest.squaredDistance { nearest = (squared, id) }
        }
        return members.contains(nearest.id) ? members : [nearest.id] + members
    }
}

/// The balls `BallSearch` has found around vocabulary words, for one
/// mechanism's radius, up to `capacity` word ids in all (then no more are
/// kept: a bound on memory, not on correctness — a ball not kept is found again).
final class BallCache: @unchecked Sendable {
    static let capacity = 1 << 23
    private let lock = NSLock()
    private var balls: [Int: [Int]] = [:]
    private var kept = 0

    func members(of word: Int) -> [Int]? {
        lock.withLock { balls[word] }
    }

    func keep(_ members: [Int], of word: Int) {
        lock.withLock {
            guard balls[word] == nil, kept + members.count <= Self.capacity else { return }
            balls[word] = members
            kept += members.count
        }
    }
}

