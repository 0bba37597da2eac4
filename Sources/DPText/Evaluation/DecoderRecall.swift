import Dispatch

/// How often an approximate decoder finds the exact nearest word of a
/// mechanism's noisy vectors: recall@1 against exhaustive search, on the
/// points the mechanism really draws (so the noise level is the one that
/// matters).
public enum DecoderRecall {
    /// Draws `drawsPerWord` outcomes of `mechanism` for each of `words`
    /// (word `id` uses stream `id` of `seed`) and decodes every point with
    /// both indexes.
    ///
    /// - Returns: the fraction of points on which the two agree, and how
    ///   many points there were (mechanisms that output words directly give none).
    public static func measure(
        mechanism: any WordMechanism, exact: any NeighborIndex, approximate: any NeighborIndex,
        words: [Int], drawsPerWord: Int, seed: UInt64
    ) -> (recall: Double, points: Int) {
        precondition(exact.isExact, "recall is measured against exact search")
        var points: [Double] = []
        for word in words {
            var generator = SeededGenerator(seed: seed, stream: UInt64(word))
            for _ in 0..<drawsPerWord {
                switch mechanism.draw(.word(word), using: &generator).outcome {
                case .point(let point), .afterNeighbors(let point, _, _, _):
                    points.append(contentsOf: point)
                case .word, .unprotectedWord, .input: break
                }
            }
        }
        let count = points.count / max(1, exact.store.dimension)
        guard count > 0 else { return (1, 0) }
        let truth = exact.nearest(toEach: points, k: 1)
        let found = approximate.nearest(toEach: points, k: 1)
        let agreeing = zip(truth, found).filter { $0[0].id == $1[0].id }.count
        return (Double(agreeing) / Double(count), count)
    }
}
