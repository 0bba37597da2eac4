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

    public init(mechanism: any WordMechanism, decoder: any NeighborIndex) {
        self.mechanism = mechanism
        self.decoder = decoder
    }

    /// Output word per token of each record (nil: keep the input token).
    ///
    /// - Parameter generators: one generator per record, used in order.
    public func privatize<G: RandomNumberGenerator>(
        records: [[MechanismInput]], generators: inout [G]
    ) -> [[Int?]] {
        precondition(records.count == generators.count)
        var outputs = records.map { [Int?](repeating: nil, count: $0.count) }
        var points: [Double] = []
        var pointOwners: [(record: Int, token: Int)] = []
        for (record, inputs) in records.enumerated() {
            for (token, input) in inputs.enumerated() {
                switch mechanism.draw(input, using: &generators[record]).outcome {
                case .input: outputs[record][token] = nil
                case .word(let id): outputs[record][token] = id
                case .point(let point):
                    points.append(contentsOf: point)
                    pointOwners.append((record, token))
                }
            }
        }
        let decoded = decoder.nearest(toEach: points, k: 1)
        for (owner, neighbors) in zip(pointOwners, decoded) {
            outputs[owner.record][owner.token] = neighbors[0].id
        }
        return outputs
    }

    /// Output words for the tokens of one record.
    public func privatize<G: RandomNumberGenerator>(_ inputs: [MechanismInput], using generator: inout G) -> [Int?] {
        var generators = [generator]
        defer { generator = generators[0] }
        return privatize(records: [inputs], generators: &generators)[0]
    }
}
