import Foundation
import Testing
@testable import DPText
import CScreening

/// The naive reference: every distance, computed independently of the index
/// (same double-precision formula, coordinate order), fully sorted by
/// (distance, id).
private func naiveNearest(_ store: EmbeddingStore, query: [Double], k: Int) -> [Neighbor] {
    (0..<store.count).map { (naiveSquaredDistance(store, query, $0), $0) }
        .sorted { $0 < $1 }
        .prefix(k)
        .map { Neighbor(id: $0.1, distance: $0.0.squareRoot()) }
}

/// `Σ_j (query_j − x_j)²` in coordinate order, as the naive reference sums it.
private func naiveSquaredDistance(_ store: EmbeddingStore, _ query: [Double], _ id: Int) -> Double {
    var sum = 0.0
    for j in 0..<store.dimension {
        let difference = query[j] - Double(store.vectors[id * store.dimension + j])
        sum += difference * difference
    }
    return sum
}

@Suite("Exact k-nearest-neighbour search")
struct ExactNeighborIndexTests {
    @Test(arguments: [(500, 3, 1), (2000, 8, 10), (20000, 50, 10), (3000, 50, 100), (9000, 17, 300)])
    func matchesNaiveSearchOnRandomData(count: Int, dimension: Int, k: Int) {
        let store = TestData.randomStore(count: count, dimension: dimension, seed: UInt64(count * 31 + dimension))
        let index = ExactNeighborIndex(store: store)
        var generator = SeededGenerator(seed: 7)
        // Queries: vocabulary vectors, vectors near them, and vectors far out.
        let queries: [[Double]] = (0..<80).map { i in
            let base = store.vector(at: Int.random(in: 0..<count, using: &generator))
            let scale = [0.0, 0.05, 1, 20][i % 4]
            return base.map { $0 + scale * TestData.gaussian(using: &generator) }
        }
        let found = index.nearest(toEach: queries.flatMap { $0 }, k: k)
        #expect(found.count == queries.count)
        for (query, neighbors) in zip(queries, found) {
            #expect(neighbors == naiveNearest(store, query: query, k: k))
        }
    }

    /// Principal-axes screening at every depth, with the vector kernel and
    /// with the portable one, gives the naive reference's answer, ids and
    /// order, for word, near, Laplace-noisy and far queries.
    @Test(arguments: [(6000, 50, 1, 8, true), (6000, 50, 2, 24, true), (5000, 40, 10, 16, true), (3000, 12, 100, 4, true),
                      (4500, 50, 300, 32, true), (6000, 50, 1, 41, true), (4000, 50, 2, 41, false), (3000, 64, 5, 61, true),
                      (3000, 12, 3, 12, false), (2000, 300, 5, 61, true), (1500, 300, 3, 32, false),
                      (2000, 300, 5, 300, true), (1500, 300, 2, 300, false), (1200, 301, 1, 301, true)])
    func screenedSearchMatchesNaiveSearch(count: Int, dimension: Int, k: Int, depth: Int, vectorized: Bool) throws {
        // Correlated coordinates, so that the principal axes matter.
        let base = TestData.randomStore(count: count, dimension: dimension, seed: UInt64(count + depth))
        let vectors = (0..<count).flatMap { id in
            (0..<dimension).map { j in base.vectors[id * dimension + j] * Float(1 + j % 5) + base.vectors[id * dimension] }
        }
        let store = try EmbeddingStore(words: base.words, vectors: vectors, dimension: dimension)
        let index = vectorized
            ? ExactNeighborIndex(store: store, screeningDepth: depth)
            : ExactNeighborIndex(store: store, portableScreeningDepth: depth)
        #expect(index.screening?.depth == depth)
        #expect(index.screening?.vectorized == vectorized)
        var generator = SeededGenerator(seed: 8)
        let queries: [[Double]] = (0..<80).map { i in
            let id = Int.random(in: 0..<count, using: &generator)
            guard i % 4 != 3 else {
                return zip(store.vector(at: id), MultivariateLaplaceNoise.sample(dimension: dimension, epsilon: 2, using: &generator)).map(+)
            }
            let scale = [0.0, 0.05, 20][i % 4]
            return store.vector(at: id).map { $0 + scale * TestData.gaussian(using: &generator) }
        }
        let found = index.nearest(toEach: queries.flatMap { $0 }, k: k)
        for (query, neighbors) in zip(queries, found) {
            #expect(neighbors == naiveNearest(store, query: query, k: k))
        }
    }

    /// The default index in 300d, where the screen gives up and the measured
    /// choice mixes screened, abandoned and brute-force blocks, still gives
    /// the naive reference's answer for every query.
    @Test func measuredChoiceMatchesNaiveSearchIn300d() throws {
        let store = TestData.randomStore(count: 4_500, dimension: 300, seed: 300)
        let index = ExactNeighborIndex(store: store)
        #expect(index.choice != nil || dptext_screen_is_vectorized() == 0)
        var generator = SeededGenerator(seed: 301)
        let queries: [[Double]] = (0..<700).map { _ in
            let id = Int.random(in: 0..<store.count, using: &generator)
            return zip(store.vector(at: id), MultivariateLaplaceNoise.sample(dimension: 300, epsilon: 30, using: &generator)).map(+)
        }
        let found = index.nearest(toEach: queries.flatMap { $0 }, k: 3)
        for (query, neighbors) in zip(queries, found) { #expect(neighbors == naiveNearest(store, query: query, k: 3)) }
    }

    /// The screen's bound never exceeds a word's true squared distance: at a
    /// threshold equal to a word's own exact distance, the word passes — for
    /// each of a query's 300 nearest words, with both kernels. At depth D the
    /// tails are empty and the bound is tight up to quantization, so dropping
    /// the quantization slack makes words fail here.
    @Test(arguments: [(41, true), (41, false), (50, true)])
    func screeningBoundIsALowerBound(depth: Int, vectorized: Bool) throws {
        let store = try EmbeddingStore.load(from: TestData.bundledStore)
        let words = try EmbeddingStore(words: Array(store.words.prefix(6000)), vectors: Array(store.vectors.prefix(6000 * 50)), dimension: 50)
        let index = vectorized
            ? ExactNeighborIndex(store: words, screeningDepth: depth) : ExactNeighborIndex(store: words, portableScreeningDepth: depth)
        let screening = try #require(index.screening)
        var generator = SeededGenerator(seed: 12)
        var failures = 0
        for i in 0..<6 {
            let id = Int.random(in: 0..<words.count, using: &generator)
            let noise = MultivariateLaplaceNoise.sample(dimension: 50, epsilon: [3.0, 10, 30][i % 3], using: &generator)
            let query = zip(words.vector(at: id), noise).map(+)
            for neighbor in naiveNearest(words, query: query, k: 300) {
                let squared = neighbor.distance * neighbor.distance
                if !screening.passing(query: query, threshold: squared.nextDown.nextDown).contains(neighbor.id) { failures += 1 }
            }
        }
        #expect(failures == 0)
    }

    /// The same in 300d, where the default screen reads every coordinate:
    /// at every depth, with both kernels, each of a Laplace-noisy query's
    /// 200 nearest words passes at its own exact distance, for ε from
    /// barely-moved to far.
    @Test(arguments: [(300, true), (300, false), (200, true), (61, true), (61, false)])
    func screeningBoundIsALowerBoundIn300d(depth: Int, vectorized: Bool) throws {
        let base = TestData.randomStore(count: 3000, dimension: 300, seed: 303)
        var vectors = [Float](repeating: 0, count: 3000 * 300)
        for id in 0..<3000 {
            for j in 0..<300 { vectors[id * 300 + j] = base.vectors[id * 300 + j] * Float(1 + j % 7) + base.vectors[id * 300] }
        }
        let store = try EmbeddingStore(words: base.words, vectors: vectors, dimension: 300)
        let index = vectorized
            ? ExactNeighborIndex(store: store, screeningDepth: depth) : ExactNeighborIndex(store: store, portableScreeningDepth: depth)
        let screening = try #require(index.screening)
        #expect(screening.width == AxisScreening.width(depth: depth, dimension: 300))
        var generator = SeededGenerator(seed: 304)
        var failures = 0, checked = 0
        for epsilon in [10.0, 60, 1000] {
            for _ in 0..<3 {
                let id = Int.random(in: 0..<store.count, using: &generator)
                let noise = MultivariateLaplaceNoise.sample(dimension: 300, epsilon: epsilon, using: &generator)
                let query = zip(store.vector(at: id), noise).map(+)
                for neighbor in naiveNearest(store, query: query, k: 200) {
                    let squared = neighbor.distance * neighbor.distance
                    if !screening.passing(query: query, threshold: squared.nextDown.nextDown).contains(neighbor.id) { failures += 1 }
                    checked += 1
                }
            }
        }
        #expect(checked == 1800)
        #expect(failures == 0)
    }

    /// The AVX2 kernel adds n groups' 16-bit pair sums before widening; the
    /// code levels decide n so that nothing can saturate or wrap.
    @Test func codeLevelsAllowOnlySumsThatFitIn16Bits() {
        #expect(CodeLevels(word: 63, query: 31).groupsPerSum == 4)   // 4·2·63·63 = 31,752
        #expect(CodeLevels(word: 127, query: 31).groupsPerSum == 2)  // 2·2·63·127 = 32,004
        #expect(CodeLevels(word: 127, query: 63).groupsPerSum == 1)  // 2·127·127 = 32,258
        #expect(CodeLevels(word: 127, query: 127).groupsPerSum == 0) // 2·255·127 would saturate
        #expect(CodeLevels(width: 44) == CodeLevels(word: 63, query: 31))
        #expect(CodeLevels(width: 300) == CodeLevels(word: 127, query: 63))
        let store = TestData.randomStore(count: 300, dimension: 8, seed: 3)
        #expect(AxisScreening(store: store, depth: 8, levels: CodeLevels(word: 127, query: 127)) == nil)
    }

    /// Every code-level set (so every AVX2 kernel: unrolled with four groups
    /// per sum, wide with four, two or one) and the portable kernel give the
    /// naive reference's neighbours, in 50d and 300d.
    @Test(arguments: [(50, 43, 63, 31), (50, 43, 127, 31), (50, 43, 127, 63), (300, 300, 63, 31), (300, 300, 127, 31),
                      (300, 300, 127, 63), (300, 150, 63, 31)])
    func everyCodeLevelSetMatchesNaiveSearch(dimension: Int, depth: Int, word: Int, query: Int) throws {
        let store = TestData.randomStore(count: 2500, dimension: dimension, seed: UInt64(dimension + word + query))
        var generator = SeededGenerator(seed: 17)
        var queries: [Double] = []
        for i in 0..<48 {
            let id = Int.random(in: 0..<store.count, using: &generator)
            let epsilon = [2.0, 20, 200][i % 3] * Double(dimension) / 50
            queries += zip(store.vector(at: id), MultivariateLaplaceNoise.sample(dimension: dimension, epsilon: epsilon, using: &generator)).map(+)
        }
        for vectorized in [true, false] {
            let screening = try #require(AxisScreening(store: store, depth: depth, vectorized: vectorized,
                                                       levels: CodeLevels(word: word, query: query)))
            let found = screening.search(store: store, queries: queries, balls: .init(repeating: nil, count: 48), rows: 0..<48, k: 3)
            for row in 0..<48 {
                let query = Array(queries[row * dimension..<(row + 1) * dimension])
                #expect(found[row] == naiveNearest(store, query: query, k: 3), "row \(row), vectorized \(vectorized)")
            }
        }
    }

    /// The y₁ window at its edge: each query's nearest word u lies 3 away
    /// along the first principal axis only, and a slightly farther word v
    /// (3.15, across it) sits at the query's own y₁, so the search finds v
    /// first and its window is then just wide enough to hold u. A window
    /// narrower by a tenth misses every u (checked by mutation).
    @Test(arguments: [true, false])
    func windowKeepsANeighbourThatDiffersAlongTheFirstAxisOnly(vectorized: Bool) throws {
        let dimension = 32, cloud = 3000, pairs = 20
        var generator = SeededGenerator(seed: 41)
        var vectors: [Float] = []
        for _ in 0..<cloud {
            // Coordinate 0 dominates the variance, so the first principal axis is nearly e₀.
            vectors += (0..<dimension).map { j in Float(TestData.gaussian(using: &generator) * (j == 0 ? 30 : 1)) }
        }
        var queries: [[Double]] = []
        for i in 0..<pairs {
            var z = [Double](repeating: 0, count: dimension)
            (z[0], z[1], z[3]) = (Double.random(in: -40...40, using: &generator), 40, 10 * Double(i))
            var u = z, v = z
            u[0] -= 3
            v[2] += 3.15
            vectors += u.map(Float.init) + v.map(Float.init)
            queries.append(z)
        }
        let count = cloud + 2 * pairs
        let store = try EmbeddingStore(words: (0..<count).map { "w\($0)" }, vectors: vectors, dimension: dimension)
        let screening = try #require(AxisScreening(store: store, depth: 24, vectorized: vectorized))
        for (i, query) in queries.enumerated() {
            let found = screening.search(store: store, queries: query, balls: [nil], rows: 0..<1, k: 1)
            #expect(found[0].map(\.id) == [cloud + 2 * i], "query \(i)")
            #expect(found[0] == naiveNearest(store, query: query, k: 1))
        }
    }

    /// The words within a radius, screened or scored by brute force, equal
    /// one exact scan of the vocabulary — with the radius set to a word's
    /// own exact distance, so that the boundary word must be in.
    @Test(arguments: [(50, 43), (300, 300), (50, 0)])
    func wordsWithinARadiusMatchTheScan(dimension: Int, depth: Int) throws {
        let store = TestData.randomStore(count: 3000, dimension: dimension, seed: UInt64(dimension))
        let index = ExactNeighborIndex(store: store, screeningDepth: depth == 0 ? nil : depth)
        #expect((index.screening == nil) == (depth == 0))
        var generator = SeededGenerator(seed: 5)
        for _ in 0..<10 {
            let center = store.vector(at: Int.random(in: 0..<store.count, using: &generator))
            for rank in [1, 40, 400] {
                let radius = naiveNearest(store, query: center, k: rank)[rank - 1].distance.nextUp.nextUp
                let within = index.words(within: radius, of: center)
                #expect(within == VocabularyScan.words(within: radius, of: center, in: store))
                #expect(within.count >= rank)
            }
        }
    }

    /// Balls found sixteen at a time (`words(of:)`, each pass reading only the
    /// window of y₁ its radii reach) equal the exact ball, on a store whose
    /// first principal axis carries most of the spread, so that the words at
    /// a ball's edge lie near the window's edge too.
    @Test(arguments: [(50, 43), (300, 300)])
    func ballsFoundTogetherAreExact(dimension: Int, depth: Int) throws {
        var generator = SeededGenerator(seed: UInt64(dimension) + 3)
        let count = 3000
        let vectors = (0..<count * dimension).map { i in Float(TestData.gaussian(using: &generator) * (i % dimension == 0 ? 10 : 0.2)) }
        let store = try EmbeddingStore(words: (0..<count).map { "w\($0)" }, vectors: vectors, dimension: dimension)
        let index = ExactNeighborIndex(store: store, screeningDepth: depth)
        var balls: [NeighborBall] = []
        for i in 0..<40 {
            let word = Int.random(in: 0..<count, using: &generator)
            let rank = [2, 40, 400, 1500][i % 4]
            let radius = naiveNearest(store, query: store.vector(at: word), k: rank)[rank - 1].distance.nextUp.nextUp
            balls.append(NeighborBall(center: store.vector(at: word), radius: radius, member: word))
        }
        let found = index.words(of: balls)
        for (i, ball) in balls.enumerated() {
            let naive = (0..<count).filter { naiveSquaredDistance(store, ball.center, $0) <= ball.radius * ball.radius }
            #expect(found[i] == naive, "ball \(i): \(found[i].count) words, \(naive.count) expected")
            #expect(index.words(within: ball.radius, of: ball.center) == naive, "ball \(i), alone")
        }
    }

    /// A search among a ball's words — screened (vector and portable
    /// kernels), brute force, and the protocol's default (the ball's words
    /// found, then ranked) — equals the naive ranking of the ball's words:
    /// those within the radius and its member. Radii sit on a word's own
    /// exact distance (the boundary word is in); some members lie outside the
    /// radius; balls and unrestricted queries share each batch and each
    /// group of 16 lanes.
    @Test(arguments: [(50, 43, true), (50, 43, false), (300, 300, true), (50, 0, true)])
    func searchAmongABallMatchesTheNaiveRanking(dimension: Int, depth: Int, vectorized: Bool) throws {
        let store = TestData.randomStore(count: 3000, dimension: dimension, seed: UInt64(dimension + 11))
        let index = depth == 0 ? ExactNeighborIndex(store: store, screeningDepth: nil)
            : vectorized ? ExactNeighborIndex(store: store, screeningDepth: depth)
            : ExactNeighborIndex(store: store, portableScreeningDepth: depth)
        #expect((index.screening == nil) == (depth == 0))
        var generator = SeededGenerator(seed: 13)
        var queries: [Double] = [], balls: [NeighborBall?] = []
        for i in 0..<48 {
            let word = Int.random(in: 0..<store.count, using: &generator)
            let center = store.vector(at: word)
            let noise = MultivariateLaplaceNoise.sample(dimension: dimension, epsilon: [0.05, 0.3, 4][i % 3] * Double(dimension),
                                                        using: &generator)
            queries += zip(center, noise).map(+)
            let rank = [2, 30, 300][i % 3]
            let radius = naiveNearest(store, query: center, k: rank)[rank - 1].distance.nextUp.nextUp
            switch i % 4 {
            case 0: balls.append(nil)
            case 3:
                // A member outside the radius (the word farthest from the centre among 50 tries).
                let outside = (0..<50).map { _ in Int.random(in: 0..<store.count, using: &generator) }
                    .max { store.distance(between: word, and: $0) < store.distance(between: word, and: $1) }!
                #expect(store.distance(between: word, and: outside) > radius)
                balls.append(NeighborBall(center: center, radius: radius, member: outside))
            default: balls.append(NeighborBall(center: center, radius: radius, member: word))
            }
        }
        struct DefaultBallSearch: NeighborIndex {
            let inner: ExactNeighborIndex
            var store: EmbeddingStore { inner.store }
            var isExact: Bool { true }
            func nearest(toEach queries: [Double], k: Int) -> [[Neighbor]] { inner.nearest(toEach: queries, k: k) }
        }
        func naiveBall(_ ball: NeighborBall) -> [Int] {
            (0..<store.count).filter { $0 == ball.member || naiveSquaredDistance(store, ball.center, $0) <= ball.radius * ball.radius }
        }
        var expected: [Int: [[Neighbor]]] = [:]
        for k in [1, 3] {
            let found = index.nearest(toEach: queries, k: k, within: balls)
            let byDefault = DefaultBallSearch(inner: index).nearest(toEach: queries, k: k, within: balls)
            expected[k] = balls.enumerated().map { row, ball in
                let query = Array(queries[row * dimension..<(row + 1) * dimension])
                let all = naiveNearest(store, query: query, k: store.count)
                return ball.map { ball in
                    let words = Set(naiveBall(ball))
                    return Array(all.filter { words.contains($0.id) }.prefix(k))
                } ?? Array(all.prefix(k))
            }
            for row in balls.indices {
                #expect(found[row] == expected[k]![row], "k = \(k), query \(row)")
                #expect(byDefault[row] == expected[k]![row], "default, k = \(k), query \(row)")
            }
        }
        // Asked for again, the balls of at most a sixteenth of the vocabulary are kept
        // (`FrequentBalls`, found sixteen per screen pass) and ranked directly: the same answers.
        for call in 1...FrequentBalls.findAt(dimension: dimension) {
            let k = [1, 3][call % 2]
            #expect(index.nearest(toEach: queries, k: k, within: balls) == expected[k]!, "call \(call), k = \(k)")
        }
        for ball in balls.compactMap({ $0 }) {
            let naive = naiveBall(ball)
            #expect(index.keptWords(of: ball) == (naive.count * 16 <= store.count ? naive : nil), "\(naive.count) words")
        }
        #expect(balls.contains { $0.map { naiveBall($0).count * 16 <= store.count } ?? false })
    }

    @Test("the bundled store: screening at its default depth equals brute force on noisy points")
    func screenedSearchOnGloVe() throws {
        let store = try WordTokenizer.wordVocabulary(of: try EmbeddingStore.load(from: TestData.bundledStore))
        let index = ExactNeighborIndex(store: store, screeningDepth: 43)
        // The default screens only where vector instructions run the screen (else brute force is faster).
        #expect(ExactNeighborIndex.defaultScreeningDepth(for: store) == (dptext_screen_is_vectorized() != 0 ? 43 : nil))
        var generator = SeededGenerator(seed: 9)
        var queries: [Double] = []
        for epsilon in [3.0, 10, 30] {
            for _ in 0..<100 {
                let id = Int.random(in: 0..<store.count, using: &generator)
                queries += zip(store.vector(at: id), MultivariateLaplaceNoise.sample(dimension: 50, epsilon: epsilon, using: &generator)).map(+)
            }
        }
        for k in [1, 2, 100] {
            #expect(index.nearest(toEach: queries, k: k) == index.bruteForce.nearest(toEach: queries, k: k), "k = \(k)")
        }
    }

    @Test func breaksTiesByLowerIdAndFindsExactDuplicates() throws {
        // Points on a grid: many exactly equal distances; words 3 and 7 share a vector.
        var vectors: [Float] = []
        for i in 0..<100 { vectors += [Float(i % 10), Float(i / 10)] }
        vectors[14] = vectors[6]; vectors[15] = vectors[7]  // word 7 = word 3
        let store = try EmbeddingStore(words: (0..<100).map { "g\($0)" }, vectors: vectors, dimension: 2)
        let index = ExactNeighborIndex(store: store)
        for query in [[4.5, 4.5], [0, 0], [3, 0], [9.5, -1], [5, 5]] {
            #expect(index.nearest(to: query, k: 12) == naiveNearest(store, query: query, k: 12))
        }
        // Word 7 asks for its neighbours: itself first, then word 3 at distance 0.
        let ofSeven = index.neighbors(ofWord: 7, k: 3)
        #expect(ofSeven.map(\.id) == [7, 3, 2])
        #expect(ofSeven.map(\.distance) == [0, 0, 1])
    }

    @Test func wordQueriesPutTheWordFirst() {
        let store = TestData.randomStore(count: 3000, dimension: 20, seed: 11)
        let index = ExactNeighborIndex(store: store)
        let ids = [0, 1, 17, 2999]
        let lists = index.neighbors(ofWords: ids, k: 10)
        for (id, list) in zip(ids, lists) {
            #expect(list.count == 10)
            #expect(list.first == Neighbor(id: id, distance: 0))
            #expect(Array(list.dropFirst()) == Array(naiveNearest(store, query: store.vector(at: id), k: 11)
                .filter { $0.id != id }.prefix(9)))
        }
    }

    @Test func clampsKToTheVocabulary() {
        let store = TestData.randomStore(count: 7, dimension: 4, seed: 3)
        let index = ExactNeighborIndex(store: store)
        let query = store.vector(at: 2)
        #expect(index.nearest(to: query, k: 50) == naiveNearest(store, query: query, k: 7))
        #expect(index.nearest(to: query, k: 0).isEmpty)
        #expect(index.nearest(toEach: [], k: 5).isEmpty)
    }

    @Test func matchesNaiveSearchOnTheBundledGloVeStore() throws {
        let store = try EmbeddingStore.load(from: TestData.bundledStore)
        let index = ExactNeighborIndex(store: store)
        var generator = SeededGenerator(seed: 50)
        let ids = (0..<24).map { _ in Int.random(in: 0..<store.count, using: &generator) }
        // Word vectors, and noisy vectors like the Laplace mechanism produces.
        let queries: [[Double]] = ids.enumerated().map { i, id in
            store.vector(at: id).map { $0 + (i.isMultiple(of: 2) ? 0 : 0.5 * TestData.gaussian(using: &generator)) }
        }
        for k in [1, 10, 100] {
            let found = index.nearest(toEach: queries.flatMap { $0 }, k: k)
            for (query, neighbors) in zip(queries, found) {
                #expect(neighbors == naiveNearest(store, query: query, k: k))
            }
        }
        // A sanity check of meaning, not just of arithmetic.
        let king = index.neighbors(ofWord: try #require(store.id(of: "king")), k: 5).map { store.words[$0.id] }
        #expect(king.contains("prince") && king.contains("queen"))
    }
}

/// The full 400,000-word store is not committed (build it with
/// `Tools/build-glove-store.sh`); where it exists, search on it is checked too.
private let fullStore = TestData.repository.appendingPathComponent("Embeddings/glove-6B-50d.h5").path

@Test(.enabled(if: FileManager.default.fileExists(atPath: fullStore), "needs Tools/build-glove-store.sh"))
func exactSearchMatchesNaiveSearchOnTheFullGloVeStore() throws {
    let store = try EmbeddingStore.load(from: fullStore)
    #expect(store.count == 400_000)
    let index = ExactNeighborIndex(store: store)
    var generator = SeededGenerator(seed: 400)
    let queries: [[Double]] = (0..<6).map { i in
        let base = store.vector(at: Int.random(in: 0..<store.count, using: &generator))
        return base.map { $0 + (i < 3 ? 0 : 0.7 * TestData.gaussian(using: &generator)) }
    }
    let found = index.nearest(toEach: queries.flatMap { $0 }, k: 100)
    for (query, neighbors) in zip(queries, found) {
        #expect(neighbors == naiveNearest(store, query: query, k: 100))
    }
}
