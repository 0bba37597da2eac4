/// A restriction of a search to the words of a ball: the words `u` with
/// `d(center, u)² ≤ radius·radius` (`EmbeddingStore.squaredDistance`, so
/// membership is exact; the test `words(within:of:)` makes), and `member`.
///
/// `member` is a word the ball always holds — for a word's own ball the
/// word itself (at distance 0), for another centre its nearest word, so that
/// no ball is empty. A search among the ball's words ranks them as every
/// search does (nearer first, ties by lower id) and never returns another
/// word. It starts from `member`'s distance, so that an exact index prunes
/// from the first word it reads: a bound must come from a word of the ball,
/// and the words nearest the query are often outside it (in 300d a noisy
/// point's nearest word lies in its input word's ball about one time in
/// eight, at ε = 10 and a radius of 6).
public struct NeighborBall: Sendable {
    public let center: [Double]
    public let radius: Double
    /// `radius · radius`, as every membership test computes it.
    public let squaredRadius: Double
    public let member: Int

    public init(center: [Double], radius: Double, member: Int) {
        (self.center, self.radius, squaredRadius, self.member) = (center, radius, radius * radius, member)
    }

    /// Whether word `id` is one of the ball's.
    public func contains(_ id: Int, in store: EmbeddingStore) -> Bool {
        id == member || center.withUnsafeBufferPointer { store.squaredDistance(from: $0, to: id) <= squaredRadius }
    }

    /// The squared distances from the centre to eight words, each equal to
    /// the one `contains` compares (`EmbeddingStore.squaredDistances`).
    func squaredDistances(to ids: SIMD8<Int32>, in store: EmbeddingStore) -> SIMD8<Double> {
        center.withUnsafeBufferPointer { store.squaredDistances(from: $0, to: ids) }
    }

    /// Whether a search among the ball's words takes word `id` once its
    /// selector was started from `member`: any other word of the ball.
    func admits(_ id: Int, in store: EmbeddingStore) -> Bool {
        id != member && contains(id, in: store)
    }

    /// `admits`, given the word's squared distance from the centre.
    func admits(_ id: Int, squaredDistanceFromCenter squared: Double) -> Bool {
        id != member && squared <= squaredRadius
    }

    /// The ball's words in id order, found by `index` (`words(within:of:)`).
    func words(by index: some NeighborIndex) -> [Int] {
        withMember(index.words(within: radius, of: center))
    }

    /// The ball's words given those within its radius (id order): `member` added when outside.
    func withMember(_ within: [Int]) -> [Int] {
        within.contains(member) ? within : (within + [member]).sorted()
    }
}
