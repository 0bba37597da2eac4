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

    /// How the run writes words — the one place that decides it: verbatim
    /// only for a mechanism that claims no privacy (its output must equal
    /// its input byte for byte), the one canonical rule for every other.
    /// `Draw.input` then keeps a token as written, or is the input word.
    public let rendering: TextRewriter.Rendering

    var keepsInputs: Bool { rendering == .verbatim }

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
        rendering = TextRewriter.Rendering(for: mechanism.guarantee)
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
                    case .publicVector(let vector): pending.add(vector, owner: owner)
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
                        pending.add(point, owner: owner)
                    }
                case .afterNeighbors(let point, let k, let ball, let then):
                    pending.continuations.append((owner, point, k, ball, then))
                }
                if pending.count + pending.continuations.count >= Self.decodingBatch { decode(&pending, into: &outputs) }
            }
        }
        decode(&pending, into: &outputs)
        return outputs
    }

    /// Noisy points waiting to be decoded, with the token each belongs to.
    private struct PendingPoints {
        typealias Owner = (record: Int, token: Int)
        let dimension: Int
        var points: [Double] = []
        var owners: [Owner] = []
        var count: Int { owners.count }
        /// Points waiting for their neighbourhood (`Draw.afterNeighbors`).
        var continuations: [(owner: Owner, point: [Double], k: Int, ball: NeighborBall?,
                             then: @Sendable (Neighborhood) -> Draw)] = []

        init(dimension: Int) { self.dimension = dimension }

        mutating func add(_ point: [Double], owner: Owner) {
            points.append(contentsOf: point)
            owners.append(owner)
        }
    }

    /// Continues every pending neighbourhood draw — one batched search for
    /// their points, then each continuation, whose words are written, whose
    /// points join the batch and whose own continuations are searched next —
    /// then decodes every pending point to its nearest word into `outputs`
    /// and empties the batch.
    private func decode(_ pending: inout PendingPoints, into outputs: inout [[Int?]]) {
        while !pending.continuations.isEmpty {
            let continuations = pending.continuations
            pending.continuations.removeAll(keepingCapacity: true)
            // One search per k, so that a few wide neighbourhoods (kde-mh's hundred words)
            // do not make every other point of the batch rank that many words.
            var found = [[Neighbor]](repeating: [], count: continuations.count)
            for (k, members) in Dictionary(grouping: continuations.indices, by: { continuations[$0].k }) {
                let lists = decoder.nearest(toEach: members.flatMap { continuations[$0].point }, k: k,
                                            within: members.map { continuations[$0].ball })
                for (member, neighbors) in zip(members, lists) { found[member] = neighbors }
            }
            for (continuation, neighbors) in zip(continuations, found) {
                let owner = continuation.owner
                let neighborhood = Neighborhood(neighbors: Array(neighbors.prefix(continuation.k)), index: decoder)
                switch continuation.then(neighborhood).outcome {
                case .word(let id): outputs[owner.record][owner.token] = id
                case .point(let point): pending.add(point, owner: owner)
                case .afterNeighbors(let point, let k, let ball, let then):
                    pending.continuations.append((owner, point, k, ball, then))
                default: preconditionFailure("a neighbourhood continuation must give a word, a point or a continuation")
                }
            }
        }
        guard pending.count > 0 else { return }
        for (owner, neighbors) in zip(pending.owners, decoder.nearest(toEach: pending.points, k: 1)) {
            outputs[owner.record][owner.token] = neighbors[0].id
        }
        pending.points.removeAll(keepingCapacity: true)
        pending.owners.removeAll(keepingCapacity: true)
    }

    /// Output words for the tokens of one record.
    public func privatize<G: RandomNumberGenerator>(_ inputs: [MechanismInput], using generator: inout G) -> [Int?] {
        var generators = [generator]
        defer { generator = generators[0] }
        return privatize(records: [inputs], generators: &generators)[0]
    }
}
