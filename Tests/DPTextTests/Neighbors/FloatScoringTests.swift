import Foundation
import Testing
@testable import DPText
import CScreening

/// `FloatScoring`: float32 scores with a proven error bound, and the exact
/// answers built on them, against naive double-precision references on data
/// made to defeat float32 — clusters of words one ulp apart, exact
/// duplicates, and radii that fall exactly on a word's distance.
@Suite("Float32 scoring with an error bound")
struct FloatScoringTests {
    /// Every float32 inner product, vectorized or portable, lies within
    /// γ_D·Σ|q_j·x_j| of the exact sum (computed in double: products of two
    /// floats are exact there, and the sum's own error is far below the bound).
    @Test(arguments: [1, 7, 8, 15, 16, 17, 50, 300, 301])
    func innerProductsWithinTheirBound(dimension: Int) throws {
        var generator = SeededGenerator(seed: UInt64(dimension) + 40)
        let count = 41
        let vectors = (0..<count * dimension).map { i in
            Float(TestData.gaussian(using: &generator)) * (i % 11 == 0 ? 1e5 : i % 13 == 0 ? 1e-5 : 1)
        }
        let store = try EmbeddingStore(words: (0..<count).map { "w\($0)" }, vectors: vectors, dimension: dimension)
        let gamma = Double(dimension) * 0x1p-24 / (1 - Double(dimension) * 0x1p-24)
        for trial in 0..<12 {
            let query = (0..<dimension).map { j in Float(TestData.gaussian(using: &generator) * (j % 3 == 0 ? 100 : 0.5)) }
            let ids = (0..<(trial % 10 + trial / 10 * 31)).map { _ in Int32.random(in: 0..<Int32(count), using: &generator) }
            var vectorized = [Float](repeating: .nan, count: ids.count), portable = vectorized
            store.vectors.withUnsafeBufferPointer { matrix in
                dptext_inner_products(matrix.baseAddress!, dimension, ids, ids.count, query, &vectorized)
                dptext_inner_products_portable(matrix.baseAddress!, dimension, ids, ids.count, query, &portable)
            }
            for (slot, id) in ids.enumerated() {
                let row = store.vectors[Int(id) * dimension..<(Int(id) + 1) * dimension].map(Double.init)
                let terms = zip(query.map(Double.init), row).map(*)
                let exact = terms.reduce(0, +), bound = gamma * terms.reduce(0) { $0 + abs($1) }
                #expect(abs(Double(vectorized[slot]) - exact) <= bound, "trial \(trial), slot \(slot)")
                #expect(abs(Double(portable[slot]) - exact) <= bound, "portable, trial \(trial), slot \(slot)")
            }
        }
    }

    /// Eight clusters of 40 words: a base vector, exact copies of it, and
    /// copies moved by one ulp in a few coordinates, so that many distances
    /// differ by less than float32 can tell apart.
    static func clusteredStore(dimension: Int, seed: UInt64) -> EmbeddingStore {
        var generator = SeededGenerator(seed: seed)
        var vectors: [Float] = []
        for _ in 0..<8 {
            let base = (0..<dimension).map { _ in Float(TestData.gaussian(using: &generator) * 3) }
            for member in 0..<40 {
                var vector = base
                if member % 5 != 0 {
                    for _ in 0..<3 {
                        let j = Int.random(in: 0..<dimension, using: &generator)
                        vector[j] = Bool.random(using: &generator) ? vector[j].nextUp : vector[j].nextDown
                    }
                }
                vectors += vector
            }
        }
        return try! EmbeddingStore(words: (0..<320).map { "w\($0)" }, vectors: vectors, dimension: dimension)
    }

    static func naiveRanking(_ store: EmbeddingStore, among ids: [Int], to query: [Double]) -> [Neighbor] {
        ids.map { id in
            (query.indices.reduce(0.0) { sum, j in
                let difference = query[j] - Double(store.vectors[id * store.dimension + j])
                return sum + difference * difference
            }, id)
        }.sorted { $0 < $1 }.map { Neighbor(id: $0.1, distance: $0.0.squareRoot()) }
    }

    @Test("ranking a list by float32 scores, then exactly, equals the exact ranking, near-ties and duplicates included",
          arguments: [3, 50, 300])
    func rankingEqualsTheExactRanking(dimension: Int) {
        let store = Self.clusteredStore(dimension: dimension, seed: UInt64(dimension))
        let scoring = FloatScoring(store: store)
        var generator = SeededGenerator(seed: 5)
        for trial in 0..<60 {
            let cluster = trial % 8
            let ids = (0..<store.count).filter { $0 / 40 == cluster || Int.random(in: 0..<4, using: &generator) == 0 }
            let query = store.vector(at: cluster * 40).map { $0 + TestData.gaussian(using: &generator) * [1e-6, 0.01, 2][trial % 3] }
            let expected = Self.naiveRanking(store, among: ids, to: query)
            for k in [1, 5] {
                let found = scoring.nearest(among: ids.map { Int32($0) }, to: query[...], k: k)
                #expect(found == Array(expected.prefix(k)), "trial \(trial), k = \(k)")
            }
        }
        #expect(scoring.nearest(among: [], to: store.vector(at: 0)[...], k: 1).isEmpty)
        // Many queries among the same words: one sgemm over the gathered rows, the same rankings.
        for cluster in 0..<8 {
            let ids = (0..<store.count).filter { $0 / 40 == cluster || $0 % 7 == 0 }
            let queries = (0..<24).map { i in
                store.vector(at: cluster * 40 + i % 40).map { $0 + TestData.gaussian(using: &generator) * [1e-6, 0.01, 2][i % 3] }
            }
            for k in [1, 5] {
                let found = scoring.nearest(among: ids.map { Int32($0) }, to: queries.map { $0[...] }, k: k)
                for (i, query) in queries.enumerated() {
                    #expect(found[i] == Array(Self.naiveRanking(store, among: ids, to: query).prefix(k)), "cluster \(cluster), query \(i), k = \(k)")
                }
            }
        }
    }

    @Test("the words within a radius, from float32 scores and exact distances near the threshold, are the exact ball",
          arguments: [3, 50, 300])
    func wordsWithinARadiusAreTheExactBall(dimension: Int) {
        let store = Self.clusteredStore(dimension: dimension, seed: UInt64(dimension) + 1)
        let scoring = FloatScoring(store: store)
        var generator = SeededGenerator(seed: 6)
        for trial in 0..<40 {
            let cluster = trial % 8
            let center = store.vector(at: cluster * 40 + 1).map { $0 + TestData.gaussian(using: &generator) * [0, 1e-6, 0.5][trial % 3] }
            let ranking = Self.naiveRanking(store, among: Array(0..<store.count), to: center)
            // On a word's own exact distance (that word is in), or between two clustered distances.
            let radius = trial % 2 == 0 ? ranking[[3, 17, 39, 45][trial % 4]].distance
                : (ranking[20].distance + ranking[21].distance) / 2
            // Membership is the exact squared distance against radius², as `NeighborBall` decides.
            let exact = (0..<store.count).filter { id in
                center.withUnsafeBufferPointer { store.squaredDistance(from: $0, to: id) } <= radius * radius
            }
            #expect(exact.count >= 2)
            #expect(scoring.words(within: radius, of: center) == exact, "trial \(trial)")
            let candidates = (0..<store.count).filter { _ in Int.random(in: 0..<3, using: &generator) > 0 }
            #expect(scoring.words(among: candidates, within: radius, of: center) == exact.filter(candidates.contains),
                    "among, trial \(trial)")
        }
    }
}
