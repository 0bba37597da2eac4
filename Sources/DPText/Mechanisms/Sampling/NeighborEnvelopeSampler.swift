import Foundation

/// Exact sampling from an exponential mechanism over the vocabulary whose
/// score falls with distance (MECHANISMS.md F3, §6.3, §6.4):
///
///     P(y | x) ∝ exp(−(ε/2)·c(d(x, y))),   y ∈ O,
///
/// with c nondecreasing — `c(d) = d` for SanText, `c(d) = min(d, γ)` for TEM —
/// and O the output words, an id range (all words, or SanText+'s sensitive ones).
///
/// **Rejection from a neighbour envelope.** Let N be x's nearest words (x
/// itself and its `NeighborTable` row of K other words, or for a public
/// vector its K + 1 nearest words) and r the distance of the last: every
/// word outside N is at least r from x, so its weight is at most
/// b = exp(−(ε/2)·c(r)). Propose from q ∝ ŵ with ŵ = w on N ∩ O plus b on
/// all of O — a candidate of N ∩ O by its weights with probability
/// A/(A + B), A = Σ_{N∩O} w, else a uniform word of O, B = |O|·b — and
/// accept a candidate always, a uniform word y with probability 0 when
/// y ∈ N (its weight is already in A) and `exp(−(ε/2)(c(d(x, y)) − c(r)))`
/// outside N. Accepted draws follow P exactly (standard rejection sampling:
/// `P[propose y and accept] ∝ w(y)` on N ∩ O and `b · w(y)/b` outside); a
/// try succeeds with probability Z/(A + B) ≥ A/(A + B). Nothing about it is
/// approximate: the bound holds exactly in floating point, because the
/// table's neighbours and the tail's distances come from the same
/// `EmbeddingStore.squaredDistance`; and since N holds every word nearer
/// than r, a uniform word is in N exactly when it is nearer than r or, at
/// distance r, listed.
///
/// Tries are independent, so they are made eight at a time: up to eight
/// uniform words (fewer when a try picks a candidate, which always
/// succeeds), their distances fetched together (`squaredDistances`, so the
/// eight cache misses overlap), then judged in order; the first success is
/// the draw. At small ε most tries fall in the tail (about 400 per token at
/// ε = 4 on 400k GloVe words), and a random word's vector is a cache miss.
///
/// When c(r) ≥ c(d) for every d beyond r — TEM with γ ≤ r — every uniform
/// word outside N is accepted: the tail is TEM's ⊥ event, a uniform word
/// outside the words within γ.
///
/// Floating point: weights are relative to the smallest candidate cost, so
/// nothing overflows; a word whose relative weight is below about e⁻⁷⁰⁰
/// (or below 2⁻⁵³ of the total) is never drawn — a tiny δ (§8.1). The
/// number of tries depends on x, so running time reveals something about
/// the input word, never the noise (§8.11).
///
/// The envelopes of the first `frequentWords` word ids are built once (the
/// words of nearly every token of real text); others are built per token.
struct NeighborEnvelopeSampler: Sendable {
    /// The cost c(d) of a word at distance d.
    enum Cost: Sendable, Equatable {
        /// c(d) = d.
        case distance
        /// c(d) = min(d, γ).
        case truncated(at: Double)

        @inline(__always)
        func callAsFunction(_ distance: Double) -> Double {
            switch self {
            case .distance: return distance
            case .truncated(let gamma): return Swift.min(distance, gamma)
            }
        }
    }

    let epsilon: Double
    let cost: Cost
    /// O, the ids that can be output.
    let outputs: Range<Int>
    let store: EmbeddingStore
    let neighbors: NeighborDistances
    /// Envelopes of word ids `0..<frequentWords`, flat: `slots` entries each.
    private let frequentWords: Int
    private let slots: Int
    private let frequentCandidates: [Int32]
    private let frequentCumulative: [Double]
    private let frequentShapes: [Shape]
    /// The nearest words of the last public vector (the OOV stand-in is one vector).
    private let publicNeighbors = LastComputed<[Double], [Neighbor]>()

    /// What an envelope needs besides its candidates: how many there are, and its tail.
    struct Shape: Sendable {
        var count: Int
        /// Subtracted from every cost (the smallest candidate cost): weights are `exp(−(ε/2)(c − shift))`.
        var shift: Double
        /// r, the distance of the farthest word of N.
        var radius: Double
        /// `c(r) − shift`, the tail's cost bound.
        var tailCost: Double
        /// A + B (B = 0 when N holds all of O: no tail).
        var total: Double
    }

    init(epsilon: Double, cost: Cost, outputs: Range<Int>, store: EmbeddingStore, neighbors: NeighborDistances,
         frequentWords: Int = 1 << 16) {
        self.epsilon = epsilon
        self.cost = cost
        self.outputs = outputs
        self.store = store
        self.neighbors = neighbors
        let frequent = min(frequentWords, neighbors.words)
        let slots = neighbors.table.width + 1
        var candidates = [Int32](repeating: 0, count: frequent * slots)
        var cumulative = [Double](repeating: 0, count: frequent * slots)
        var shapes = [Shape](repeating: Shape(count: 0, shift: 0, radius: 0, tailCost: 0, total: 0), count: frequent)
        for id in 0..<frequent {
            let row = neighbors.table.neighbors(of: id)
            let distances = neighbors.distances(of: id)!
            shapes[id] = Self.envelope(
                ids: [Int32(id)] + row, distances: [0] + distances, epsilon: epsilon, cost: cost, outputs: outputs,
                candidates: &candidates[(id * slots)..<((id + 1) * slots)],
                cumulative: &cumulative[(id * slots)..<((id + 1) * slots)])
        }
        (self.frequentWords, self.slots) = (frequent, slots)
        (frequentCandidates, frequentCumulative, frequentShapes) = (candidates, cumulative, shapes)
    }

    /// Builds one envelope from N (ids and distances, nearest first; the
    /// last is the radius r): writes the candidates N ∩ O and their running
    /// weights into the given slots and returns its shape.
    static func envelope(
        ids: some Collection<Int32>, distances: some Collection<Double>, epsilon: Double, cost: Cost,
        outputs: Range<Int>, candidates: inout ArraySlice<Int32>, cumulative: inout ArraySlice<Double>
    ) -> Shape {
        let radius = distances.max() ?? 0
        let inside = zip(ids, distances).filter { outputs.contains(Int($0.0)) }
        let shift = inside.map { cost($0.1) }.min() ?? cost(radius)
        var running = 0.0
        for (offset, (id, distance)) in inside.enumerated() {
            running += exp(-epsilon / 2 * (cost(distance) - shift))
            candidates[candidates.startIndex + offset] = id
            cumulative[cumulative.startIndex + offset] = running
        }
        let tailCost = cost(radius) - shift
        let tail = inside.count == outputs.count ? 0 : Double(outputs.count) * exp(-epsilon / 2 * tailCost)
        return Shape(count: inside.count, shift: shift, radius: radius, tailCost: tailCost, total: running + tail)
    }

    /// One draw of P(· | input).
    func sample<G: RandomNumberGenerator>(_ input: MechanismInput, using generator: inout G) -> Int {
        switch input {
        case .word(let id) where id < frequentWords:
            let start = id * slots
            return frequentCandidates.withUnsafeBufferPointer { candidates in
                frequentCumulative.withUnsafeBufferPointer { cumulative in
                    draw(from: id, candidates: UnsafeBufferPointer(rebasing: candidates[start..<start + slots]),
                         cumulative: UnsafeBufferPointer(rebasing: cumulative[start..<start + slots]),
                         shape: frequentShapes[id], using: &generator)
                }
            }
        case .word(let id):
            let row = neighbors.table.neighbors(of: id)
            let distances = row.map { store.squaredDistance(between: id, and: Int($0)).squareRoot() }
            return sample(center: .word(id), ids: [Int32(id)] + row, distances: [0] + distances, using: &generator)
        case .publicVector(let vector):
            let nearest = publicNeighbors.value(for: vector) {
                NeighborIndexSearch.nearest(in: store, among: outputs, to: vector, k: neighbors.table.width + 1)
            }
            return sample(center: .publicVector(vector), ids: nearest.map { Int32($0.id) }, distances: nearest.map(\.distance),
                          using: &generator)
        }
    }

    /// A draw for an envelope built on the spot.
    private func sample<G: RandomNumberGenerator>(
        center: MechanismInput, ids: [Int32], distances: [Double], using generator: inout G
    ) -> Int {
        var candidates = [Int32](repeating: 0, count: ids.count)[...]
        var cumulative = [Double](repeating: 0, count: ids.count)[...]
        let shape = Self.envelope(ids: ids, distances: distances, epsilon: epsilon, cost: cost, outputs: outputs,
                                  candidates: &candidates, cumulative: &cumulative)
        return candidates.withUnsafeBufferPointer { candidates in
            cumulative.withUnsafeBufferPointer { cumulative in
                switch center {
                case .word(let id):
                    return draw(from: id, candidates: candidates, cumulative: cumulative, shape: shape, using: &generator)
                case .publicVector(let vector):
                    return vector.withUnsafeBufferPointer { query in
                        draw(query: query, candidates: candidates, cumulative: cumulative, shape: shape, using: &generator)
                    }
                }
            }
        }
    }

    @inline(__always)
    private func draw<G: RandomNumberGenerator>(
        from id: Int, candidates: UnsafeBufferPointer<Int32>, cumulative: UnsafeBufferPointer<Double>, shape: Shape,
        using generator: inout G
    ) -> Int {
        // The word's vector widened to double: distances from it equal `squaredDistance(between:and:)`.
        withUnsafeTemporaryAllocation(of: Double.self, capacity: store.dimension) { query in
            let row = id * store.dimension
            for j in 0..<store.dimension { query[j] = Double(store.vectors[row + j]) }
            return draw(query: UnsafeBufferPointer(query), candidates: candidates, cumulative: cumulative, shape: shape,
                        using: &generator)
        }
    }

    /// The rejection loop of the type's documentation, eight tries at a time.
    @inline(__always)
    private func draw<G: RandomNumberGenerator>(
        query: UnsafeBufferPointer<Double>, candidates: UnsafeBufferPointer<Int32>, cumulative: UnsafeBufferPointer<Double>,
        shape: Shape, using generator: inout G
    ) -> Int {
        let weightInside = shape.count == 0 ? 0 : cumulative[shape.count - 1]
        let listed = UnsafeBufferPointer(rebasing: candidates[..<shape.count])
        while true {
            // Tries until one picks a candidate or eight propose a uniform word.
            var proposals = SIMD8<Int32>(repeating: Int32(outputs.lowerBound))
            var tailTries = 0
            var candidate: Int?
            while tailTries < 8 {
                let u = generator.nextOpenUnit() * shape.total
                if u < weightInside {
                    candidate = Int(candidates[Self.firstIndex(in: cumulative, count: shape.count, above: u)])
                    break
                }
                proposals[tailTries] = Int32(outputs.lowerBound + generator.nextIndex(below: outputs.count))
                tailTries += 1
            }
            if tailTries > 0 {
                let squaredDistances = store.squaredDistances(from: query, to: proposals)
                for index in 0..<tailTries {
                    let distance = squaredDistances[index].squareRoot()
                    // In N: rejected.
                    if distance < shape.radius || (distance == shape.radius && listed.contains(proposals[index])) { continue }
                    // Outside: accepted with probability w(y)/b.
                    let excess = cost(distance) - shape.shift - shape.tailCost
                    if excess <= 0 || generator.nextOpenUnit() < exp(-epsilon / 2 * excess) { return Int(proposals[index]) }
                }
            }
            if let candidate { return candidate }
        }
    }

    /// The first index whose running weight exceeds `u` (`u` below the last one), by bisection.
    @inline(__always)
    private static func firstIndex(in cumulative: UnsafeBufferPointer<Double>, count: Int, above u: Double) -> Int {
        var (low, high) = (0, count - 1)
        while low < high {
            let middle = (low + high) / 2
            if cumulative[middle] <= u { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// The exact probabilities P(y | input) for every word id (0 outside O),
    /// by the closed form over the whole vocabulary (O(V): for tests and
    /// exact deniability figures).
    func probabilities(_ input: MechanismInput) -> [Double] {
        let center: [Double]
        switch input {
        case .word(let id): center = store.vector(at: id)
        case .publicVector(let vector): center = vector
        }
        let costs = center.withUnsafeBufferPointer { query in
            (0..<store.count).map { outputs.contains($0) ? cost(store.squaredDistance(from: query, to: $0).squareRoot()) : .infinity }
        }
        let smallest = costs.min() ?? 0
        let weights = costs.map { $0 == .infinity ? 0 : exp(-epsilon / 2 * ($0 - smallest)) }
        let total = weights.reduce(0, +)
        return weights.map { $0 / total }
    }
}

/// Exact nearest words of a vector by a plain pass (for one public vector; the index is for batches).
enum NeighborIndexSearch {
    /// The `k` nearest of the words `among` to `vector`, ties by lower id.
    static func nearest(in store: EmbeddingStore, among words: Range<Int>, to vector: [Double], k: Int) -> [Neighbor] {
        vector.withUnsafeBufferPointer { query in
            words.map { RankedCandidate(squaredDistance: store.squaredDistance(from: query, to: $0), id: $0) }
                .sorted().prefix(k).map(\.neighbor)
        }
    }
}
