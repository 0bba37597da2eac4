import Foundation
import Testing
@testable import DPText

/// Mechanisms.md §12 and T16: 1-Diffractor's chained lists, its output law
/// against the closed form (χ², fixed seeds, m = 10⁵, α = 10⁻⁴ Bonferroni over
/// the inputs), and the closed form's worst privacy loss against ε·d_L.
@Suite("1-Diffractor (T16)")
struct DiffractorTests {
    typealias T = ExponentialFamilyTesting

    static let table = NeighborTable(index: T.resources.index, width: 6)

    @Test("each list is a permutation built by the greedy rule: nearest unlisted neighbour, else the lowest unlisted id")
    func chainedLists() {
        for start in [0, 37, 79] {
            let list = ChainedWordList(start: start, table: Self.table)
            #expect(list.words.count == T.store.count && Set(list.words).count == T.store.count && list.word(at: 0) == start)
            var listed = Set<Int>()
            for position in 0..<list.count {
                let word = list.word(at: position)
                #expect(list.position(of: word) == position)
                if position > 0 {
                    let previous = list.word(at: position - 1)
                    let expected = Self.table.neighbors(of: previous).map(Int.init).first { !listed.contains($0) }
                        ?? (0..<T.store.count).first { !listed.contains($0) }!
                    #expect(word == expected, "start \(start), position \(position)")
                }
                listed.insert(word)
            }
        }
    }

    @Test("the closed form: a distribution, the geometric law on one list, the bound ε·d_L")
    func closedForm() throws {
        for epsilon in [0.3, 1.5] {
            let diffractor = try DiffractorMechanism(epsilon: epsilon, lists: 3, store: T.store, table: Self.table)
            for x in [0, 5, 79] { #expect(abs(diffractor.probabilities(.word(x)).reduce(0, +) - 1) < 1e-12) }
            let worst = T.worstLossRatio(diffractor, exact: diffractor.probabilities) {
                diffractor.claimedLoss(between: $0, and: $1, in: T.store)
            }
            #expect(worst <= 1 + 1e-9, "ε = \(epsilon): worst loss / ε·d_L = \(worst)")
        }
        // One list: the law of a word in the middle is (1 − q)/(1 + q)·q^{|j − i|}, its ends collect the tails.
        let single = try DiffractorMechanism(epsilon: 0.7, lists: 1, store: T.store, table: Self.table)
        let list = single.lists[0], q = exp(-0.7), x = list.word(at: 40)
        let p = single.probabilities(.word(x))
        #expect(abs(p[list.word(at: 43)] - (1 - q) / (1 + q) * pow(q, 3)) < 1e-15)
        #expect(abs(p[list.word(at: 0)] - pow(q, 40) / (1 + q)) < 1e-15)
        #expect(abs(p[list.word(at: 79)] - pow(q, 39) / (1 + q)) < 1e-15)
        // Adjacent positions of the one list: the bound is attained.
        let y = list.word(at: 41)
        #expect(abs(log(p[x] / single.probabilities(.word(y))[x]) - 0.7) < 1e-12)
        #expect(single.claimedLoss(between: x, and: y, in: T.store) == 0.7)
    }

    @Test("the sampler follows the closed form, for words inside and at the ends of the lists")
    func samplerFollowsTheLaw() throws {
        let diffractor = try DiffractorMechanism(epsilon: 0.8, lists: 3, store: T.store, table: Self.table)
        let ends = diffractor.lists.flatMap { [$0.word(at: 0), $0.word(at: $0.count - 1)] }
        try T.expectFits(diffractor, inputs: [12, ends[0], ends[3]].map { .word($0) }, exact: diffractor.probabilities, seed: 90)
    }

    @Test("built from the catalog with its guarantee as data; the stand-in is privatized as its nearest word")
    func catalogAndGuarantee() throws {
        let diffractor = try DiffractorMechanism.descriptor.make(MechanismSettings(epsilon: 1, resources: T.resources))
        #expect(diffractor.guarantee == .pureListIndexMetric(epsilon: 1, lists: 5))
        #expect(diffractor.guarantee.kind == DiffractorMechanism.descriptor.guaranteeKind)
        #expect(diffractor.guarantee.statement.contains("not a bound in embedding distance"))
        let law = try #require(diffractor as? DiffractorMechanism)
        let standIn = T.store.vector(at: 17).map { $0 + 1e-3 }
        #expect(law.probabilities(.publicVector(standIn)) == law.probabilities(.word(17)))
        #expect(throws: MechanismError.self) { try DiffractorMechanism(epsilon: 1, lists: 0, store: T.store, table: Self.table) }
    }
}
