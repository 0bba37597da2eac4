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
        let outputs = try Privatizer(mechanism: mechanism, decoder: index).privatize(inputs, using: &generator)

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

    @Test("the neighbourhood shortcut changes no output, and proves most draws at small noise")
    func shortcutIsExact() throws {
        let store = TestData.randomStore(count: 2_000, dimension: 8, seed: 9)
        let index = ExactNeighborIndex(store: store)
        let shortcut = NeighborhoodShortcut(table: NeighborTable(index: index, width: 30), store: store)
        let inputs: [MechanismInput] = (0..<6_000).map { .word(($0 * 37) % store.count) }
        for epsilon in [2.0, 8.0, 30.0] {
            let mechanism = try MultivariateLaplaceMechanism(epsilon: epsilon, store: store)
            var plain = SeededGenerator(seed: 77), fast = SeededGenerator(seed: 77)
            let expected = try Privatizer(mechanism: mechanism, decoder: index).privatize(inputs, using: &plain)
            let found = try Privatizer(mechanism: mechanism, decoder: index, shortcut: shortcut).privatize(inputs, using: &fast)
            #expect(found == expected, "ε = \(epsilon)")
        }
        // Direct: every certified answer is the exhaustive one; small noise is mostly certified.
        var generator = SeededGenerator(seed: 4)
        var certified = 0
        for draw in 0..<3_000 {
            let word = draw % store.count
            let point = store.vector(at: word).map { $0 + 0.05 * TestData.gaussian(using: &generator) }
            if let id = point.withUnsafeBufferPointer({ shortcut.nearest(to: $0, around: word) }) {
                certified += 1
                #expect(id == index.nearest(to: point, k: 1)[0].id)
            }
        }
        #expect(certified > 2_000, "certified \(certified) of 3,000")
    }
}
