/// Runs a mechanism over the tokens of records and decodes every point it
/// draws to the nearest vocabulary word.
///
/// Each record draws from its own generator, in token order, and decoding
/// is exact, so the output depends only on each record's generator — not on
/// how records are grouped into batches or spread over threads.
public struct Privatizer: Sendable {
    public let mechanism: any WordMechanism
    /// Decodes points; must be exact for the reported N_w statistics to hold.
    public let decoder: any NeighborIndex
    /// Decodes, without a full search, points whose nearest word the input
    /// word's neighbourhood proves (only with an exact decoder: the result
    /// is the same).
    public let shortcut: NeighborhoodShortcut?

    /// Whether `Draw.input` keeps a token as written (only for a mechanism
    /// that claims no privacy; with a guarantee it is the input word).
    let keepsInputs: Bool

    /// - Throws: `MechanismError.needsExactDecoding` when the mechanism's
    ///   guarantee rests on exact search and `decoder` is approximate.
    public init(
        mechanism: any WordMechanism, decoder: any NeighborIndex, shortcut: NeighborhoodShortcut? = nil
    ) throws(MechanismError) {
        if let reason = mechanism.exactDecodingRequirement, !decoder.isExact {
            throw .needsExactDecoding(mechanism: mechanism.name, reason: reason)
        }
        self.mechanism = mechanism
        self.decoder = decoder
        self.shortcut = decoder.isExact ? shortcut : nil
        keepsInputs = mechanism.guarantee == .none
    }

    /// Points decoded together: large enough for efficient BLAS batches,
    /// small enough to bound memory whatever the size of the records.
    static let decodingBatch = 8192

    /// Output word per token of each record (nil: keep the input token).
    ///
    /// - Parameter generators: one generator per record, used in order.
    public func privatize<G: RandomNumberGenerator>(
        records: [[MechanismInput]], generators: inout [G]
    ) -> [[Int?]] {
        var unprotected = [Int](repeating: 0, count: records.count)
        return privatize(records: records, generators: &generators, unprotected: &unprotected)
    }

    /// As `privatize(records:generators:)`, also counting per record the
    /// tokens the mechanism left unprotected by design (`Draw.unprotected`).
    public func privatize<G: RandomNumberGenerator>(
        records: [[MechanismInput]], generators: inout [G], unprotected: inout [Int]
    ) -> [[Int?]] {
        precondition(records.count == generators.count && records.count == unprotected.count)
        var outputs = records.map { [Int?](repeating: nil, count: $0.count) }
        var pending = PendingPoints(dimension: decoder.store.dimension)
        for (record, inputs) in records.enumerated() {
            for (token, input) in inputs.enumerated() {
                let owner = (record: record, token: token)
                switch mechanism.draw(input, using: &generators[record]).outcome {
                case .input where keepsInputs:
                    outputs[record][token] = nil
                case .input:
                    // With a guarantee, "the input" is a vocabulary word like any other output:
                    // the word itself, or the word nearest a public stand-in vector.
                    switch input {
                    case .word(let id): outputs[record][token] = id
                    case .publicVector(let vector): pending.add(vector, owner: owner, rule: .nearest)
                    }
                case .word(let id):
                    outputs[record][token] = id
                case .unprotectedWord(let id):
                    outputs[record][token] = id
                    unprotected[record] += 1
                case .point(let point):
                    if let shortcut, case .word(let word) = input,
                       let id = point.withUnsafeBufferPointer({ shortcut.nearest(to: $0, around: word) }) {
                        outputs[record][token] = id
                    } else {
                        pending.add(point, owner: owner, rule: .nearest)
                    }
                case .pointWithin(let point, let center, let radius):
                    pending.add(point, owner: owner, rule: .within(center: center, radius: radius))
                case .twoNearest(let point, let t, let uniform):
                    pending.add(point, owner: owner, rule: .vickrey(t: t, uniform: uniform))
                case .afterNeighbors(let point, let k, let then):
                    pending.continuations.append((owner, point, k, then))
                }
                if pending.count + pending.continuations.count >= Self.decodingBatch { decode(&pending, into: &outputs) }
            }
        }
        decode(&pending, into: &outputs)
        return outputs
    }

    /// How a pending point becomes a word.
    private enum DecodingRule {
        /// The nearest word.
        case nearest
        /// The nearest word within `radius` of `center` (`Draw.point(_:within:of:)`).
        case within(center: [Double], radius: Double)
        /// The Vickrey choice between the two nearest words (`Draw.twoNearest`).
        case vickrey(t: Double, uniform: Double)
    }

    /// Noisy points waiting to be decoded, with the token each belongs to.
    private struct PendingPoints {
        typealias Owner = (record: Int, token: Int)
        let dimension: Int
        var points: [Double] = []
        var owners: [(owner: Owner, rule: DecodingRule)] = []
        var count: Int { owners.count }
        /// Points waiting for their neighbourhood (`Draw.afterNeighbors`).
        var continuations: [(owner: Owner, point: [Double], k: Int, then: @Sendable ([Neighbor], Bool) -> Draw)] = []
        /// How many nearest words decoding needs (2 when a Vickrey point is pending).
        var k = 1

        init(dimension: Int) { self.dimension = dimension }

        mutating func add(_ point: [Double], owner: Owner, rule: DecodingRule) {
            points.append(contentsOf: point)
            owners.append((owner, rule))
            if case .vickrey = rule { k = 2 }
        }
    }

    /// Continues every pending neighbourhood draw — one batched search for
    /// their points, then each continuation, whose words are written and
    /// whose points join the batch — then decodes every pending point into
    /// `outputs` and empties the batch.
    private func decode(_ pending: inout PendingPoints, into outputs: inout [[Int?]]) {
        if !pending.continuations.isEmpty {
            let k = pending.continuations.map(\.k).max()!
            let found = decoder.nearest(toEach: pending.continuations.flatMap(\.point), k: k)
            for (continuation, neighbors) in zip(pending.continuations, found) {
                let owner = continuation.owner
                switch continuation.then(Array(neighbors.prefix(continuation.k)), decoder.isExact).outcome {
                case .word(let id): outputs[owner.record][owner.token] = id
                case .point(let point): pending.add(point, owner: owner, rule: .nearest)
                default: preconditionFailure("a neighbourhood continuation must give a word or a point")
                }
            }
            pending.continuations.removeAll(keepingCapacity: true)
        }
        guard pending.count > 0 else { return }
        let decoded = decoder.nearest(toEach: pending.points, k: pending.k)
        let dimension = pending.dimension
        for (index, ((owner, rule), neighbors)) in zip(pending.owners, decoded).enumerated() {
            var id = neighbors[0].id
            switch rule {
            case .nearest:
                break
            case .within(let center, let radius):
                let point = Array(pending.points[index * dimension..<(index + 1) * dimension])
                id = nearest(to: point, within: radius, of: center, overall: id)
            case .vickrey(let t, let uniform):
                id = Self.vickreyChoice(neighbors, t: t, uniform: uniform)
            }
            outputs[owner.record][owner.token] = id
        }
        pending.points.removeAll(keepingCapacity: true)
        pending.owners.removeAll(keepingCapacity: true)
        pending.k = 1
    }

    /// The Vickrey rule (Mechanisms.md §6.2): the nearest word u₁ (at d₁)
    /// when `uniform` < p(t) = (1 − t)d₂/(t·d₁ + (1 − t)d₂), else the second
    /// nearest u₂ (at d₂). At t = 0, p = 1; at t = 1, p = 0; where both
    /// distances are 0 (duplicate vectors), p = 1 − t. A vocabulary of one
    /// word has no u₂: u₁.
    static func vickreyChoice(_ nearest: [Neighbor], t: Double, uniform: Double) -> Int {
        guard nearest.count >= 2 else { return nearest[0].id }
        let (d1, d2) = (nearest[0].distance, nearest[1].distance)
        let denominator = t * d1 + (1 - t) * d2
        let p = t == 0 ? 1 : t == 1 ? 0 : denominator == 0 ? 1 - t : (1 - t) * d2 / denominator
        return uniform < p ? nearest[0].id : nearest[1].id
    }

    /// Output words for the tokens of one record.
    public func privatize<G: RandomNumberGenerator>(_ inputs: [MechanismInput], using generator: inout G) -> [Int?] {
        var generators = [generator]
        defer { generator = generators[0] }
        return privatize(records: [inputs], generators: &generators)[0]
    }

    /// The word nearest to `point` among the ball around `center`: the
    /// words `u` with `d(center, u)² ≤ radius²`, plus the word nearest to
    /// `center` (so the ball of a public vector with no word in reach is not
    /// empty; for a word's own vector that word is already in it). Given
    /// the nearest word overall: that word when it is in the ball, else an
    /// exact search of the ball (ties by lower id).
    private func nearest(to point: [Double], within radius: Double, of center: [Double], overall: Int) -> Int {
        let store = decoder.store
        func inBall(_ id: Int) -> Bool {
            center.withUnsafeBufferPointer { store.squaredDistance(from: $0, to: id) <= radius * radius }
        }
        if inBall(overall) { return overall }
        // Grow an exact k-NN query around the centre until it leaves the ball.
        var k = 64
        var found = decoder.nearest(to: center, k: k)
        while found.count == k && inBall(found[k - 1].id) && k < store.count {
            k *= 4
            found = decoder.nearest(to: center, k: k)
        }
        let members = [found[0]] + found.dropFirst().filter { inBall($0.id) }
        return point.withUnsafeBufferPointer { query in
            members.map { RankedCandidate(squaredDistance: store.squaredDistance(from: query, to: $0.id), id: $0.id) }
                .min()!.id
        }
    }
}
