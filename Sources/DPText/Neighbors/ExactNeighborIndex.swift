import Foundation
import COpenBLAS
import CScreening

/// Exact k-nearest-neighbour search over the whole vocabulary.
///
/// Brute force uses BLAS: for a block of queries `Q` and a block of
/// vocabulary rows `X`, one `sgemm` gives every `⟨q, x⟩`, and the score
/// `‖x‖² − 2⟨q, x⟩` ranks words like the squared distance does. Single
/// precision makes those scores slightly wrong, so every word whose score is
/// within a proven error margin of the k-th best is kept (`FloatScoring`
/// states the bound `e`; `CandidateSelector` keeps everything within `2e`
/// of the k-th score), and the survivors are re-ranked with exact
/// double-precision distances (`EmbeddingStore.squaredDistance`). The
/// result is therefore identical to exhaustive double-precision search:
/// same ids, same order, ties by lower id.
///
/// Large vocabularies are searched with principal-axes screening instead
/// (`AxisScreening`): a proven lower bound from 8-bit codes of the first
/// coordinates of rotated vectors rules almost every word out at a fraction
/// of the cost, and the rest are ranked by exact distance, so the answer is
/// the same.
///
/// A search may be restricted to the words of a ball (`NeighborBall`, the
/// distance cap's). The words of a ball asked for often are kept
/// (`FrequentBalls`) and ranked directly by float32 scores and exact
/// distances near the best (`FloatScoring`): the same answer again.
///
/// Queries are processed in blocks spread over all cores; BLAS itself runs
/// single-threaded so the two levels of parallelism do not fight.
public struct ExactNeighborIndex: NeighborIndex {
    public let store: EmbeddingStore
    public var isExact: Bool { true }
    /// Brute force's float32 scores and their error bound.
    private let scoring: FloatScoring
    /// The words of the balls searched often, ranked directly.
    private let frequentBalls: FrequentBalls
    /// Principal-axes screening (nil: brute force over the whole vectors).
    let screening: AxisScreening?
    /// With the default screening: the measured choice, block by block,
    /// between it and brute force (nil: a depth was given, always screen).
    let choice: ScreeningChoice?

    static let queryBlock = 256
    static let vocabularyBlock = 512

    /// An index that screens vocabularies large enough for it to pay, at
    /// the default depth, wherever it measures faster than brute force
    /// (`ScreeningChoice`), and searches by brute force elsewhere.
    public init(store: EmbeddingStore) {
        self.init(store: store, screening: Self.defaultScreeningDepth(for: store), measuredChoice: true)
    }

    /// An index that screens with `screeningDepth` principal coordinates, or searches by brute force for nil.
    public init(store: EmbeddingStore, screeningDepth: Int?) {
        self.init(store: store, screening: screeningDepth)
    }

    /// An index that screens with `screeningDepth` coordinates in portable C
    /// rather than vector instructions (tests compare the two).
    init(store: EmbeddingStore, portableScreeningDepth depth: Int) {
        self.init(store: store, screening: depth, vectorized: false)
    }

    private init(store: EmbeddingStore, screening depth: Int?, vectorized: Bool = true, measuredChoice: Bool = false) {
        self.store = store
        scoring = FloatScoring(store: store)
        frequentBalls = FrequentBalls(vocabularySize: store.count, findAt: FrequentBalls.findAt(dimension: store.dimension))
        screening = depth.flatMap { AxisScreening(store: store, depth: $0, vectorized: vectorized) }
        choice = measuredChoice && screening != nil ? ScreeningChoice() : nil
    }

    /// The screening depth for `store`, for 4,096 words or more (below
    /// that, brute force is as fast) and D ≥ 32, on a processor whose vector
    /// instructions run the screen (`dptext_screen_is_vectorized`: AVX-512
    /// VNNI or AVX2), else none. Up to D = 64: about four fifths of D, so
    /// that W's m + 1 codes fill whole groups of four (43 of GloVe's 50, 44
    /// codes). Beyond 64: all D coordinates, for a short head bounds
    /// nothing there — on GloVe 840B 300d at ε = 12 even 200 exact head
    /// coordinates leave 13 % of the words, while 300 quantized ones leave
    /// about 5 words, read as 8-bit integers at a fraction of the cost of
    /// brute force's float32 products. On GloVe 50d at ε = 10 the bound
    /// leaves about 0.13 % of the words at m = 32 and 0.007 % at 41. Without
    /// vector instructions the portable screen is slower than brute force by
    /// BLAS (about 16 times on the 50k store: 532 against 8,486 tokens/s for
    /// laplace at ε = 10 on two AVX2 cores), so brute force is the default
    /// there. Whether a screen pays is then measured (`ScreeningChoice`).
    public static func defaultScreeningDepth(for store: EmbeddingStore) -> Int? {
        let d = store.dimension
        guard store.count >= 4096 && d >= 32 && dptext_screen_is_vectorized() != 0 else { return nil }
        guard d <= 64 else { return d }
        return min(d, (d * 4 / 5 + 1 + 3) / 4 * 4 - 1)
    }

    /// A brute-force index over the same store (the reference the screened search must equal).
    public var bruteForce: ExactNeighborIndex { ExactNeighborIndex(store: store, screeningDepth: nil) }

    public func nearest(toEach queries: [Double], k: Int) -> [[Neighbor]] {
        nearest(toEach: queries, k: k, within: [NeighborBall?](repeating: nil, count: queries.count / max(1, store.dimension)))
    }

    /// Each query's `k` nearest words among its ball's (nil: all words),
    /// by the same exact search: a ball's member starts its query's bound,
    /// and only the ball's words may lower it or be returned. A ball asked
    /// for often has its words kept (`FrequentBalls`), and its queries rank
    /// them directly (`FloatScoring.nearest`): the same answer, for the
    /// cost of the ball's words rather than the vocabulary's.
    public func nearest(toEach queries: [Double], k: Int, within balls: [NeighborBall?]) -> [[Neighbor]] {
        precondition(balls.count * store.dimension == queries.count, "one ball (or nil) per query")
        guard balls.contains(where: { $0 != nil }), k > 0 else { return search(queries, k: k, within: balls) }
        let kept = frequentBalls.words(of: balls) { words(of: $0) }
        let ranked = kept.indices.filter { kept[$0] != nil }, searched = kept.indices.filter { kept[$0] == nil }
        guard !ranked.isEmpty else { return search(queries, k: k, within: balls) }
        let dimension = store.dimension, k = min(k, store.count)
        var results = [[Neighbor]](repeating: [], count: balls.count)
        // The queries of one ball together (a ball's rows read once for up to 64 of them).
        let byBall = Dictionary(grouping: ranked) { kept[$0]!.number }.values.flatMap { rows in
            stride(from: 0, to: rows.count, by: 64).map { rows[$0..<min(rows.count, $0 + 64)] }
        }
        results.withUnsafeMutableBufferPointer { output in
            nonisolated(unsafe) let output = output
            DispatchQueue.concurrentPerform(iterations: byBall.count) { group in
                let rows = byBall[group]
                let found = scoring.nearest(among: kept[rows.first!]!.words,
                                            to: rows.map { queries[$0 * dimension..<($0 + 1) * dimension] }, k: k)
                for (row, neighbors) in zip(rows, found) { output[row] = neighbors }
            }
        }
        let searchedQueries = searched.flatMap { queries[$0 * dimension..<($0 + 1) * dimension] }
        for (row, neighbors) in zip(searched, search(searchedQueries, k: k, within: searched.map { balls[$0] })) {
            results[row] = neighbors
        }
        return results
    }

    /// The words of `ball` the index keeps (`FrequentBalls`), nil when it does not.
    func keptWords(of ball: NeighborBall) -> [Int]? {
        frequentBalls.kept(ball)
    }

    /// The search of `nearest(toEach:k:within:)`, every query by the index.
    private func search(_ queries: [Double], k: Int, within balls: [NeighborBall?]) -> [[Neighbor]] {
        searchInBlocks(queries, k: k, blockSize: Self.queryBlock) { rows, k in
            guard let screening else { return search(queries: queries, balls: balls, rows: rows, k: k) }
            guard let choice else { return screening.search(store: store, queries: queries, balls: balls, rows: rows, k: k) }
            return choice.search(rows: rows) { method, rows in
                switch method {
                case .screened:
                    // An exact distance costs more than a word of brute force's sgemm: past a quarter
                    // of the vocabulary per query, the screen has lost.
                    var screened = 0
                    let found = screening.search(store: store, queries: queries, balls: balls, rows: rows, k: k,
                                                 budget: rows.count * store.count / 4, screenedWords: &screened)
                    return found.map { .found($0) } ?? .gaveUp(screenedShare: Double(screened) / Double(store.count))
                case .bruteForce: return .found(search(queries: queries, balls: balls, rows: rows, k: k))
                }
            }
        }
    }

    /// Each ball's words in id order (`NeighborBall.words(by:)`), sixteen
    /// balls per pass of the screen, in as many parts as there are cores.
    func words(of balls: [NeighborBall]) -> [[Int]] {
        let parts = min(balls.count, ProcessInfo.processInfo.activeProcessorCount)
        var found = [[[Int]]](repeating: [], count: parts)
        found.withUnsafeMutableBufferPointer { output in
            nonisolated(unsafe) let output = output
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                let balls = Array(balls[part * balls.count / parts..<(part + 1) * balls.count / parts])
                let candidates = screening?.passing(queries: balls.map(\.center), thresholds: balls.map(\.squaredRadius))
                output[part] = balls.indices.map { i in
                    let ball = balls[i]
                    let within = candidates.map { scoring.words(among: $0[i].sorted(), within: ball.radius, of: ball.center) }
                        ?? scoring.words(within: ball.radius, of: ball.center)
                    return ball.withMember(within)
                }
            }
        }
        return found.flatMap { $0 }
    }

    /// The words within `radius` of `center`: the screen's survivors at
    /// threshold radius² (a superset, with its margin), or without a screen
    /// the whole vocabulary, kept by their float32 scores and, near the
    /// radius, their exact distance (`FloatScoring.words`).
    public func words(within radius: Double, of center: [Double]) -> [Int] {
        guard let screening else { return scoring.words(within: radius, of: center) }
        return scoring.words(among: screening.passing(query: center, threshold: radius * radius).sorted(),
                             within: radius, of: center)
    }

    /// Exact search for the query rows `rows` of `queries`, each among its ball's words.
    ///
    /// A ball's member is offered first with the score of its exact
    /// distance (`d − ‖q‖²`, within `u·(‖q‖ + ‖x‖)²` of the true score, less
    /// than the margin's half), and only the ball's other words after it.
    private func search(queries: [Double], balls: [NeighborBall?], rows: Range<Int>, k: Int) -> [[Neighbor]] {
        let dimension = store.dimension
        let block = Array(queries[rows.lowerBound * dimension..<rows.upperBound * dimension])
        let block32 = block.map(Float.init)
        var selectors = (0..<rows.count).map { row in
            CandidateSelector(k: k, margin: 2 * scoring.errorBound(query: block[row * dimension..<(row + 1) * dimension]))
        }
        for (row, ball) in zip(0..<rows.count, balls[rows]) {
            guard let ball else { continue }
            let query = block[row * dimension..<(row + 1) * dimension]
            let exact = query.withUnsafeBufferPointer { store.squaredDistance(from: $0, to: ball.member) }
            selectors[row].offer(score: Float(exact - query.reduce(0) { $0 + $1 * $1 }), id: ball.member)
        }
        var products = [Float](repeating: 0, count: rows.count * Self.vocabularyBlock)

        store.vectors.withUnsafeBufferPointer { matrix in
            for start in stride(from: 0, to: store.count, by: Self.vocabularyBlock) {
                let width = min(Self.vocabularyBlock, store.count - start)
                // products[r][j] = ⟨query r, word start + j⟩
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans,
                            Int32(rows.count), Int32(width), Int32(dimension),
                            1, block32, Int32(dimension),
                            matrix.baseAddress! + start * dimension, Int32(dimension),
                            0, &products, Int32(width))
                for row in 0..<rows.count {
                    scan(products[row * width..<(row + 1) * width], firstID: start, ball: balls[rows.lowerBound + row],
                         into: &selectors[row])
                }
            }
        }
        return block.withUnsafeBufferPointer { all in
            (0..<rows.count).map { row in
                let query = UnsafeBufferPointer(rebasing: all[row * dimension..<(row + 1) * dimension])
                return selectors[row].finish { store.squaredDistance(from: query, to: $0) }
            }
        }
    }

    /// Offers the scores of one query against words `firstID…` to its
    /// selector: those of its ball's words only, when it has one.
    ///
    /// Almost every score is above the selector's bound once it has k
    /// entries, so each group of 16 is first reduced to its smallest score
    /// (a branch-free loop) and only a group that reaches the bound is
    /// offered score by score.
    @inline(__always)
    private func scan(_ products: ArraySlice<Float>, firstID: Int, ball: NeighborBall?,
                      into selector: inout CandidateSelector) {
        scoring.squaredNorms.withUnsafeBufferPointer { allNorms in
            products.withUnsafeBufferPointer { products in
                let norms = UnsafeBufferPointer(rebasing: allNorms[firstID..<firstID + products.count])
                var bound = selector.bound
                var start = 0
                while start < products.count {
                    let end = Swift.min(start + 16, products.count)
                    var smallest = Float.infinity
                    for offset in start..<end {
                        let score = norms[offset] - 2 * products[offset]
                        smallest = score < smallest ? score : smallest
                    }
                    if smallest <= bound {
                        for offset in start..<end {
                            let score = norms[offset] - 2 * products[offset]
                            if score <= bound, ball?.admits(firstID + offset, in: store) ?? true {
                                selector.offer(score: score, id: firstID + offset)
                                bound = selector.bound
                            }
                        }
                    }
                    start = end
                }
            }
        }
    }
}
