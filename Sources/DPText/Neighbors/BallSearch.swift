import Foundation

/// The word nearest to a point among the ball around a centre: the words
/// `u` with `d(center, u)² ≤ radius²`, plus the word nearest to `center`
/// (so that the ball of a public vector with no word in reach is not
/// empty; for a word's own vector that word is already in it).
///
/// As a `Draw`, so that the `Privatizer` batches its search with every
/// other token's: first the word nearest the point overall, which is the
/// answer when it is in the ball; else the ball's words, ranked exactly by
/// distance to the point (ties by lower id). The ball is found by one scan
/// of the vocabulary in double precision (the distances brute force uses,
/// so membership is exact); a vocabulary word's ball is public and the same
/// every time, so it is kept in `BallCache`. What the output-distance cap
/// needs (Mechanisms.md §3.2).
enum BallSearch {
    /// - Parameter word: the centre's word id, whose ball `cache` keeps (nil for another public vector).
    static func nearest(to point: [Double], amongWordsWithin radius: Double, of center: [Double], word: Int?,
                        cache: BallCache, in store: EmbeddingStore) -> Draw {
        .afterNeighbors(of: point, k: 1) { neighborhood in
            let overall = neighborhood.neighbors[0].id
            let inBall = center.withUnsafeBufferPointer { store.squaredDistance(from: $0, to: overall) <= radius * radius }
            if inBall { return .word(overall) }
            let members = word.flatMap(cache.members(of:)) ?? {
                let members = ball(around: center, radius: radius, in: store)
                if let word { cache.keep(members, of: word) }
                return members
            }()
            return .word(ExactRanking.nearest(in: store, among: members, to: point)!)
        }
    }

    /// Every word within `radius` of `center`, and the word nearest to it (ties by lower id).
    static func ball(around center: [Double], radius: Double, in store: EmbeddingStore) -> [Int] {
        center.withUnsafeBufferPointer { center in
            var members: [Int] = []
            var nearest = (squaredDistance: Double.infinity, id: 0)
            for id in 0..<store.count {
                let squared = store.squaredDistance(from: center, to: id)
                if squared <= radius * radius { members.append(id) }
                if squared < nearest.squaredDistance { nearest = (squared, id) }
            }
            return members.contains(nearest.id) ? members : [nearest.id] + members
        }
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
