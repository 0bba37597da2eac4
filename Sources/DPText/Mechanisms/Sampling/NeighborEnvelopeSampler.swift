import Foundation

/// Exact sampling from an exponential mechanism over the vocabulary whose
/// score falls with distance (Mechanisms.md F3, §6.3, §6.4):
///
///     P(y | x) ∝ exp(−(ε/2)·c(d(x, y))),   y ∈ O,
///
/// with c nondecreasing — `c(d) = d` for SanText, `c(d) = min(d, γ)` for TEM —
/// and O the output words, an id range (all words, or SanText+'s sensitive ones).
///
/// **Rejection from a neighbour envelope.** Let N be x's nearest words (x
/// itself and its `NeighborTable` row of K other words, or for a public
/// vector its K + 1 nearest words) and r the distance of the last: every
/// word outside N is at least r from x. With `shift` the smallest cost in
/// N ∩ O, write every weight as `e^{−x_y}`, `x_y = (ε/2)·(c(d(x, y)) − shift)`.
/// The proposal gives each candidate of N ∩ O the integer weight
/// `Q_y ≥ 2^s·e^{−x_y}` and every word of O the tail weight
/// `Q_b ≥ 2^s·e^{−x_r}` (`ExponentialCoin.weight`); one uniform integer
/// below their sum T picks a candidate, or a uniform word of O. A candidate
/// y is accepted with probability `2^s·e^{−x_y}/Q_y`; a uniform word with
/// probability 0 when it is in N (its weight is already a candidate's) and
/// `2^s·e^{−x_y}/Q_b` outside (`ExponentialCoin.flip`, an exact coin). So
/// `P[propose y and accept] = 2^s·e^{−x_y}/T` for every y ∈ O, and accepted
/// draws follow P exactly — every word of O is drawn with its own positive
/// probability, however small: no weight underflows and no proposal is
/// coarser than its integer weight.
///
/// What "exactly" rests on: the bound `e^{−x_y} ≤ e^{−x_r}` holds in floating
/// point, because the table's neighbours and the tail's distances come from
/// the same `EmbeddingStore.squaredDistance`, and cost, subtraction and
/// product are monotone under rounding; a uniform word is in N exactly when
/// it is nearer than r or, at distance r, listed. The law sampled is the
/// exponential law of the distances as computed in double precision (each
/// exponent within a few ulps of the real one).
///
/// Tries are independent, so they are made eight at a time: up to eight
/// uniform words (fewer when a try picks a candidate that is accepted),
/// their distances fetched together (`squaredDistances`, so the eight cache
/// misses overlap), then judged in order; the first success is the draw. At
/// small ε most tries fall in the tail (about 400 per token at ε = 4 on 400k
/// GloVe words), and a random word's vector is a cache miss.
///
/// When c(r) ≥ c(d) for every d beyond r — TEM with γ ≤ r — the tail is
/// TEM's ⊥ event, a uniform word outside the words within γ. The number of
/// tries depends on x, so running time reveals something about the input
/// word, never the noise (§8.11).
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
    /// s, the scale of the integer weights (`ExponentialCoin.scale`).
    let scale: Int
    /// Envelopes of word ids `0..<frequentWords`, flat: `slots` entries each.
    private let frequentWords: Int
    private let slots: Int
    private let frequentCandidates: [Int32]
    private let frequentCumulative: [UInt64]
    private let frequentExponents: [Double]
    private let frequentShapes: [Shape]
    /// The nearest words of the last public vector (the OOV stand-in is one vector).
    private let publicNeighbors = LastComputed<[Double], [Neighbor]>()

    /// What an envelope needs besides its candidates: how many there are, and its tail.
    struct Shape: Sendable {
        var count: Int
        /// The smallest candidate cost: exponents are `(ε/2)(c − shift)`.
        var shift: Double
        /// r, the distance of the farthest word of N.
        var radius: Double
        /// Q_b, the integer weight of every word of O in the tail (0: N holds all of O, no tail).
        var tailWeight: UInt64
        /// The candidates' integer weights summed.
        var inside: UInt64
        /// T, the sum of all proposal weights.
        var total: UInt64
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
        let scale = ExponentialCoin.scale(forSlots: outputs.count + slots)
        var candidates = [Int32](repeating: 0, count: frequent * slots)
        var cumulative = [UInt64](repeating: 0, count: frequent * slots)
        var exponents = [Double](repeating: 0, count: frequent * slots)
        var shapes = [Shape](repeating: Shape(count: 0, shift: 0, radius: 0, tailWeight: 0, inside: 0, total: 0),
                             count: frequent)
        for id in 0..<frequent {
            let row = neighbors.table.neighbors(of: id)
            let distances = neighbors.distances(of: id)!
            let range = (id * slots)..<((id + 1) * slots)
            shapes[id] = Self.envelope(
                ids: [Int32(id)] + row, distances: [0] + distances, epsilon: epsilon, cost: cost, outputs: outputs,
                scale: scale, candidates: &candidates[range], cumulative: &cumulative[range], exponents: &exponents[range])
        }
        (self.scale, self.frequentWords, self.slots) = (scale, frequent, slots)
        (frequentCandidates, frequentCumulative, frequentExponents, frequentShapes) = (candidates, cumulative, exponents, shapes)
    }

    /// The exponent `(ε/2)(c − shift)` of a word of cost c: the one
    /// expression every weight, bound and coin of a draw uses.
    @inline(__always)
    static func exponent(cost: Double, shift: Double, epsilon: Double) -> Double {
        epsilon / 2 * (cost - shift)
    }

    /// Builds one envelope from N (ids and distances, nearest first; the
    /// last is the radius r): writes the candidates N ∩ O, their running
    /// integer weights and their exponents into the given slots and returns its shape.
    static func envelope(
        ids: some Collection<Int32>, distances: some Collection<Double>, epsilon: Double, cost: Cost,
        outputs: Range<Int>, scale: Int, candidates: inout ArraySlice<Int32>, cumulative: inout ArraySlice<UInt64>,
        exponents: inout ArraySlice<Double>
    ) -> Shape {
        let radius = distances.max() ?? 0
        let inside = zip(ids, distances).filter { outputs.contains(Int($0.0)) }
        let shift = inside.map { cost($0.1) }.min() ?? cost(radius)
        var running: UInt64 = 0
        for (offset, (id, distance)) in inside.enumerated() {
            let x = exponent(cost: cost(distance), shift: shift, epsilon: epsilon)
            running += ExponentialCoin.weight(x, scale: scale)
            candidates[candidates.startIndex + offset] = id
            cumulative[cumulative.startIndex + offset] = running
            exponents[exponents.startIndex + offset] = x
        }
        let tailWeight = inside.count == outputs.count
            ? 0 : ExponentialCoin.weight(exponent(cost: cost(radius), shift: shift, epsilon: epsilon), scale: scale)
        return Shape(count: inside.count, shift: shift, radius: radius, tailWeight: tailWeight, inside: running,
                     total: running + UInt64(outputs.count) * tailWeight)
    }

    /// One draw of P(· | input).
    func sample<G: RandomNumberGenerator>(_ input: MechanismInput, using generator: inout G) -> Int {
        switch input {
        case .word(let id) where id < frequentWords:
            let range = id * slots..<(id + 1) * slots
            return frequentCandidates.withUnsafeBufferPointer { candidates in
                frequentCumulative.withUnsafeBufferPointer { cumulative in
                    frequentExponents.withUnsafeBufferPointer { exponents in
                        draw(from: id, envelope: Envelope(
                            candidates: UnsafeBufferPointer(rebasing: candidates[range]),
                            cumulative: UnsafeBufferPointer(rebasing: cumulative[range]),
                            exponents: UnsafeBufferPointer(rebasing: exponents[range]), shape: frequentShapes[id]),
                             using: &generator)
                    }
                }
            }
        case .word(let id):
            let row = neighbors.table.neighbors(of: id)
            let distances = row.map { store.squaredDistance(between: id, and: Int($0)).squareRoot() }
            return sample(center: .word(id), ids: [Int32(id)] + row, distances: [0] + distances, using: &generator)
        case .publicVector(let vector):
            let nearest = publicNeighbors.value(for: vector) {
                ExactRanking.nearest(in: store, among: outputs, to: vector, k: neighbors.table.width + 1)
            }
            return sample(center: .publicVector(vector), ids: nearest.map { Int32($0.id) }, distances: nearest.map(\.distance),
                          using: &generator)
        }
    }

    /// One envelope's candidates, weights and exponents, and its shape.
    private struct Envelope {
        let candidates: UnsafeBufferPointer<Int32>
        let cumulative: UnsafeBufferPointer<UInt64>
        let exponents: UnsafeBufferPointer<Double>
        let shape: Shape
    }

    /// A draw for an envelope built on the spot.
    private func sample<G: RandomNumberGenerator>(
        center: MechanismInput, ids: [Int32], distances: [Double], using generator: inout G
    ) -> Int {
        var candidates = [Int32](repeating: 0, count: ids.count)[...]
        var cumulative = [UInt64](repeating: 0, count: ids.count)[...]
        var exponents = [Double](repeating: 0, count: ids.count)[...]
        let shape = Self.envelope(ids: ids, distances: distances, epsilon: epsilon, cost: cost, outputs: outputs,
                                  scale: scale, candidates: &candidates, cumulative: &cumulative, exponents: &exponents)
        return candidates.withUnsafeBufferPointer { candidates in
            cumulative.withUnsafeBufferPointer { cumulative in
                exponents.withUnsafeBufferPointer { exponents in
                    let envelope = Envelope(candidates: candidates, cumulative: cumulative, exponents: exponents,
                                            shape: shape)
                    switch center {
                    case .word(let id):
                        return draw(from: id, envelope: envelope, using: &generator)
                    case .publicVector(let vector):
                        return vector.withUnsafeBufferPointer { draw(query: $0, envelope: envelope, using: &generator) }
                    }
                }
            }
        }
    }

    @inline(__always)
    private func draw<G: RandomNumberGenerator>(from id: Int, envelope: Envelope, using generator: inout G) -> Int {
        // The word's vector widened to double: distances from it equal `squaredDistance(between:and:)`.
        withUnsafeTemporaryAllocation(of: Double.self, capacity: store.dimension) { query in
            let row = id * store.dimension
            for j in 0..<store.dimension { query[j] = Double(store.vectors[row + j]) }
            return draw(query: UnsafeBufferPointer(query), envelope: envelope, using: &generator)
        }
    }

    /// The rejection loop of the type's documentation, eight tail tries at a time.
    @inline(__always)
    private func draw<G: RandomNumberGenerator>(
        query: UnsafeBufferPointer<Double>, envelope: Envelope, using generator: inout G
    ) -> Int {
        let shape = envelope.shape
        let listed = UnsafeBufferPointer(rebasing: envelope.candidates[..<shape.count])
        while true {
            // Tries until a candidate is accepted or eight propose a uniform word.
            var proposals = SIMD8<Int32>(repeating: Int32(outputs.lowerBound))
            var tailTries = 0
            var candidate: Int?
            while tailTries < 8 {
                let u = UInt64(generator.nextIndex(below: Int(shape.total)))
                if u < shape.inside {
                    let index = Self.firstIndex(in: envelope.cumulative, count: shape.count, above: u)
                    let weight = envelope.cumulative[index] - (index == 0 ? 0 : envelope.cumulative[index - 1])
                    if ExponentialCoin.flip(envelope.exponents[index], weight: weight, scale: scale, using: &generator) {
                        candidate = Int(envelope.candidates[index])
                        break
                    }
                    continue
                }
                proposals[tailTries] = Int32(outputs.lowerBound + Int((u - shape.inside) / shape.tailWeight))
                tailTries += 1
            }
            if tailTries > 0 {
                let squaredDistances = store.squaredDistances(from: query, to: proposals)
                for index in 0..<tailTries {
                    let distance = squaredDistances[index].squareRoot()
                    // In N: rejected.
                    if distance < shape.radius || (distance == shape.radius && listed.contains(proposals[index])) { continue }
                    // Outside: accepted with probability 2^s·e^{−x_y}/Q_b.
                    let x = Self.exponent(cost: cost(distance), shift: shape.shift, epsilon: epsilon)
                    if ExponentialCoin.flip(x, weight: shape.tailWeight, scale: scale, using: &generator) {
                        return Int(proposals[index])
                    }
                }
            }
            if let candidate { return candidate }
        }
    }

    /// The first index whose running weight exceeds `u` (`u` below the last one), by bisection.
    @inline(__always)
    private static func firstIndex(in cumulative: UnsafeBufferPointer<UInt64>, count: Int, above u: UInt64) -> Int {
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
