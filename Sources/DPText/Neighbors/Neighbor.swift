/// One vocabulary word found by a neighbour search.
public struct Neighbor: Sendable, Equatable, Hashable {
    /// The word's id in the store.
    public let id: Int
    /// Euclidean distance from the query to the word's vector.
    public let distance: Double

    public init(id: Int, distance: Double) {
        self.id = id
        self.distance = distance
    }
}

/// A candidate during search: squared distance and id, ordered the way
/// every search in dptext ranks results — nearer first, and among equal
/// distances the lower id (the more frequent word) first.
@usableFromInline
struct RankedCandidate: Comparable {
    @usableFromInline let squaredDistance: Double
    @usableFromInline let id: Int

    @inlinable init(squaredDistance: Double, id: Int) {
        self.squaredDistance = squaredDistance
        self.id = id
    }

    @inlinable static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.squaredDistance, lhs.id) < (rhs.squaredDistance, rhs.id)
    }

    var neighbor: Neighbor { Neighbor(id: id, distance: squaredDistance.squareRoot()) }
}
