extension NeighborIndex {
    /// The word nearest to `point` among the ball around `center`: the words
    /// `u` with `d(center, u)² ≤ radius²`, plus the word nearest to `center`
    /// (so that the ball of a public vector with no word in reach is not
    /// empty; for a word's own vector that word is already in it). Given the
    /// word nearest `point` overall: that word when it is in the ball, else
    /// an exact ranking of the ball (ties by lower id), found by k-NN queries
    /// around the centre that grow until they leave the ball.
    ///
    /// Exact when the index is: what the output-distance cap needs
    /// (Mechanisms.md §3.2).
    func nearest(to point: [Double], amongWordsWithin radius: Double, of center: [Double], overall: Int) -> Int {
        func inBall(_ id: Int) -> Bool {
            center.withUnsafeBufferPointer { store.squaredDistance(from: $0, to: id) <= radius * radius }
        }
        if inBall(overall) { return overall }
        var k = 64
        var found = nearest(to: center, k: k)
        while found.count == k && inBall(found[k - 1].id) && k < store.count {
            k *= 4
            found = nearest(to: center, k: k)
        }
        let members = [found[0].id] + found.dropFirst().map(\.id).filter(inBall)
        return ExactRanking.nearest(in: store, among: members, to: point)!
    }
}
