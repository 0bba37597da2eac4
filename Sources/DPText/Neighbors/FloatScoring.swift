import COpenBLAS
import CScreening

/// Scores `s(q, x) = ‖x‖² − 2⟨q, x⟩` in float32 — the squared distance less
/// the query's constant `‖q‖²`, so it ranks words as the distance does —
/// with a proven bound on their error, so that a search can rule words out
/// by score and rank the few left by exact distance (`CandidateSelector`).
/// Brute-force search scores the vocabulary this way with `sgemm`; a ball's
/// words are scored with `dptext_inner_products`, or by one `sgemm` over
/// their gathered rows when several queries share the ball.
///
/// Error bound: with unit roundoff `u = 2⁻²⁴` and `γ_m = m·u / (1 − m·u)`,
/// rounding the query to float32 moves `⟨q, x⟩` by at most `u‖q‖‖x‖`, the
/// float32 dot product errs by at most `γ_D‖q‖‖x‖` in any summation order,
/// rounding `‖x‖²` by `u‖x‖²`, and the final subtraction and threshold
/// additions by a few `u` of their operands. All together the score is off
/// by less than `e = γ_{D+8}(‖q‖ + max‖x‖)²`. The exact distances
/// (`EmbeddingStore.squaredDistance`, double precision) and `‖q‖²` err by
/// less than `γ_{D+2}` in double precision of the same quantity, some 10⁸
/// times less than `e`, so comparing scores with a slack of `2e` covers them.
struct FloatScoring: Sendable {
    let store: EmbeddingStore
    /// `‖x‖²` of every row, rounded to float32.
    let squaredNorms: [Float]
    private let largestNorm: Double

    init(store: EmbeddingStore) {
        _ = BLASKernels.singleThreaded
        self.store = store
        let norms = (0..<store.count).map { id in store.vector(at: id).reduce(0) { $0 + $1 * $1 } }
        squaredNorms = norms.map(Float.init)
        largestNorm = norms.max().map { $0.squareRoot() } ?? 0
    }

    /// `e = γ_{D+8}(‖q‖ + max‖x‖)²`, rounded up to float32.
    func errorBound(query: some Collection<Double>) -> Float {
        let unitRoundoff = 0x1p-24
        let terms = Double(store.dimension + 8) * unitRoundoff
        let gamma = terms / (1 - terms)
        let queryNorm = query.reduce(0) { $0 + $1 * $1 }.squareRoot()
        let bound = gamma * (queryNorm + largestNorm) * (queryNorm + largestNorm)
        return Float(bound).nextUp
    }

    /// The scores of words `ids` against `query`.
    func scores(of ids: [Int32], to query: [Float]) -> [Float] {
        [Float](unsafeUninitializedCapacity: ids.count) { scores, initialized in
            store.vectors.withUnsafeBufferPointer { matrix in
                dptext_inner_products(matrix.baseAddress!, store.dimension, ids, ids.count, query, scores.baseAddress!)
            }
            for (slot, id) in ids.enumerated() { scores[slot] = squaredNorms[Int(id)] - 2 * scores[slot] }
            initialized = ids.count
        }
    }

    /// The `k` nearest of `ids` to `query`, nearest first, ties by lower
    /// id: exactly `ExactRanking`'s answer, from the words whose score is
    /// within `2e` of the k-th best (`CandidateSelector`), ranked by exact
    /// distance — in 300d a float32 score costs a fraction of an exact
    /// distance, and only a handful of words come that close.
    func nearest(among ids: [Int32], to query: ArraySlice<Double>, k: Int) -> [Neighbor] {
        rank(ids, scores: scores(of: ids, to: query.map(Float.init))[...], query: query, k: k)
    }

    /// `nearest(among:to:k:)` for several queries among the same words: their
    /// rows gathered once and scored against every query by one `sgemm`, so
    /// that each row is read once rather than once per query (products in
    /// any order: the same bound `e`).
    func nearest(among ids: [Int32], to queries: [ArraySlice<Double>], k: Int) -> [[Neighbor]] {
        guard queries.count > 1, !ids.isEmpty else { return queries.map { nearest(among: ids, to: $0, k: k) } }
        let dimension = store.dimension, width = ids.count
        var rows = [Float](repeating: 0, count: width * dimension)
        store.vectors.withUnsafeBufferPointer { matrix in
            rows.withUnsafeMutableBufferPointer { rows in
                for (slot, id) in ids.enumerated() {
                    let source = UnsafeBufferPointer(rebasing: matrix[Int(id) * dimension..<(Int(id) + 1) * dimension])
                    _ = UnsafeMutableBufferPointer(rebasing: rows[slot * dimension..<(slot + 1) * dimension]).initialize(from: source)
                }
            }
        }
        let block = queries.flatMap { $0.map(Float.init) }
        var products = [Float](repeating: 0, count: queries.count * width)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(queries.count), Int32(width), Int32(dimension),
                    1, block, Int32(dimension), rows, Int32(dimension), 0, &products, Int32(width))
        for (slot, id) in ids.enumerated() {
            for row in queries.indices { products[row * width + slot] = squaredNorms[Int(id)] - 2 * products[row * width + slot] }
        }
        return queries.enumerated().map { row, query in
            rank(ids, scores: products[row * width..<(row + 1) * width], query: query, k: k)
        }
    }

    /// The `k` nearest of `ids` whose scores are `scores` (slot by slot).
    private func rank(_ ids: [Int32], scores: ArraySlice<Float>, query: ArraySlice<Double>, k: Int) -> [Neighbor] {
        var selector = CandidateSelector(k: k, margin: 2 * errorBound(query: query))
        for (slot, score) in zip(ids.indices, scores) where score <= selector.bound {
            selector.offer(score: score, id: Int(ids[slot]))
        }
        return Array(query).withUnsafeBufferPointer { query in
            selector.finish { store.squaredDistance(from: query, to: $0) }
        }
    }

    /// Every word within `radius` of `center` (exact squared distance ≤
    /// radius², as `NeighborBall` decides), in id order: one `sgemv` scores
    /// the vocabulary (`words(among:within:of:)` says which scores decide).
    func words(within radius: Double, of center: [Double]) -> [Int] {
        var products = [Float](repeating: 0, count: store.count)
        store.vectors.withUnsafeBufferPointer { matrix in
            cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(store.count), Int32(store.dimension), 1,
                        matrix.baseAddress!, Int32(store.dimension), center.map(Float.init), 1, 0, &products, 1)
        }
        let scores = (0..<store.count).map { squaredNorms[$0] - 2 * products[$0] }
        return members(of: Array(0..<store.count), scores: scores, within: radius, of: center)
    }

    /// The words of `candidates` within `radius` of `center`, in their order.
    ///
    /// With `T = radius² − ‖c‖²`, a word scoring at most `T − 2e` is within
    /// the radius and one scoring above `T + 2e` is not (the score is within
    /// `e` of `d² − ‖c‖²`, and `2e` covers the double-precision rounding of
    /// the exact distance and of `T` as well); only the words in between are
    /// measured exactly.
    func words(among candidates: [Int], within radius: Double, of center: [Double]) -> [Int] {
        let products = scores(of: candidates.map { Int32($0) }, to: center.map(Float.init))
        return members(of: candidates, scores: products, within: radius, of: center)
    }

    private func members(of candidates: [Int], scores: [Float], within radius: Double, of center: [Double]) -> [Int] {
        let limit = radius * radius
        let threshold = limit - center.reduce(0) { $0 + $1 * $1 }, slack = 2 * Double(errorBound(query: center))
        return center.withUnsafeBufferPointer { center in
            zip(candidates, scores).compactMap { id, score in
                let score = Double(score)
                if score <= threshold - slack { return id }
                if score > threshold + slack { return nil }
                return store.squaredDistance(from: center, to: id) <= limit ? id : nil
            }
        }
    }
}
