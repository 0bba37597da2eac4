import Testing
@testable import DPText

@Suite("Privatizer")
struct PrivatizerTests {
    @Test("batched decoding equals decoding each draw on its own, across batch boundaries")
    func batchedDecodingIsExact() throws {
        let store = TestData.randomStore(count: 300, dimension: 5, seed: 21)
        let index = ExactNeighborIndex(store: store)
        let mechanism = try MultivariateLaplaceMechanism(epsilon: 2, store: store)
        // More than two decoding batches in one record, with a public vector mixed in.
        let count = 2 * Privatizer.decodingBatch + 1_234
        let inputs: [MechanismInput] = (0..<count).map { $0 % 97 == 0 ? .publicVector([0, 0, 0, 0, 0]) : .word($0 % store.count) }
        var generator = SeededGenerator(seed: 5)
        let outputs = Privatizer(mechanism: mechanism, decoder: index).privatize(inputs, using: &generator)

        var reference = SeededGenerator(seed: 5)
        var changed = 0
        for (input, output) in zip(inputs, outputs) {
            guard case .point(let point) = mechanism.draw(input, using: &reference).outcome else {
                Issue.record("laplace draws points"); return
            }
            let expected = index.nearest(to: point, k: 1)[0].id
            #expect(output == expected)
            if case .word(let id) = input, id != expected { changed += 1 }
        }
        #expect(outputs.count == count && changed > count / 10)
    }
}
