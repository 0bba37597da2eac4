import Foundation
import Testing
@testable import DPText

/// The committed deniability table of the default store
/// (`Golden/deniability.json`, written by `dptext evaluate deniability`) is
/// regression data: any change to the samplers, the decoding or the word
/// sample that moves a figure shows up here. Each word draws from its own
/// seeded stream, so a few words are recomputed exactly, bit for bit.
@Suite("Deniability golden table", .serialized)
struct DeniabilityGoldenTests {
    typealias Run = DeniabilityStudy.Run

    static let runs: [Run] = {
        let url = Bundle.module.url(forResource: "Golden/deniability", withExtension: "json")!
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try! decoder.decode([Run].self, from: Data(contentsOf: url))
    }()

    /// The bundled store's word vocabulary, searched by brute force: exact like the default index, and
    /// faster to build the neighbour tables of the exponential-mechanism family with in a test.
    static let resources: VocabularyResources = {
        let vocabulary = try! WordTokenizer.wordVocabulary(of: EmbeddingStore.load(from: TestData.bundledStore))
        return VocabularyResources(vocabulary: vocabulary, index: ExactNeighborIndex(store: vocabulary, screeningDepth: nil))
    }()

    /// Every mechanism with a guarantee, from the catalog: a new one must have golden rows.
    static let mechanisms = MechanismCatalog.privatizing.map(\.name)

    /// The mechanism a golden run used, rebuilt from its recorded parameters.
    static func mechanism(of run: Run) throws -> any WordMechanism {
        let descriptor = try #require(MechanismCatalog.named(run.mechanism))
        let own = Set(descriptor.parameters.map(\.name))
        return try descriptor.make(MechanismSettings(
            epsilon: run.epsilon, values: run.parameters.filter { own.contains($0.key) }, resources: resources))
    }

    @Test func coversEveryMechanismAndTheStandardGrid() {
        for mechanism in Self.mechanisms {
            let epsilons = Set(Self.runs.filter { $0.mechanism == mechanism }.map(\.epsilon))
            #expect(epsilons.isSuperset(of: [1, 5, 10, 20, 30, 50]), "\(mechanism): \(epsilons.sorted())")
        }
        // Truncated Gumbel refuses the standard grid on this store and says why.
        let refused = Self.runs.filter { $0.mechanism == "truncated-gumbel" && $0.epsilon == 10 }
        #expect(refused.first?.status == "refused" && refused.first?.note?.contains("needs ε >") == true)
        #expect(Self.runs.contains { $0.mechanism == "truncated-gumbel" && $0.status == "ok" })
    }

    @Test func summariesAreConsistentWithTheirWords() {
        for run in Self.runs where run.status == "ok" {
            let recomputed = DeniabilityStudy.summarize(
                mechanism: run.mechanism, epsilon: run.epsilon, draws: run.rows[0].draws, results: run.perWord)
            #expect(recomputed == run.rows, "\(run.mechanism) ε = \(run.epsilon)")
        }
    }

    @Test func medianSurvivalGrowsWithEpsilonForLaplace() {
        // N_w is non-decreasing in ε for every word (Mechanisms.md §2.4).
        let medians = Self.runs.filter { $0.mechanism == "laplace" && $0.status == "ok" }
            .sorted { $0.epsilon < $1.epsilon }
            .map { run in run.rows.first { $0.statistic == "n_w" }!.median }
        #expect(zip(medians, medians.dropFirst()).allSatisfy { $0 <= $1 }, "\(medians)")
    }

    /// Every mechanism in the catalog, a few words at ε = 10 (at its first valid ε for a mechanism
    /// whose ε has a vocabulary-dependent minimum; one word for an MCMC chain per token).
    @Test(arguments: MechanismCatalog.privatizing.map(\.name))
    func recomputedWordsMatchExactly(mechanism name: String) throws {
        let descriptor = try #require(MechanismCatalog.named(name))
        try recompute(mechanism: name, epsilon: descriptor.minimumEpsilon == nil ? 10 : 0,
                      words: descriptor.cost == .chain ? 1 : 2)
    }

    func recompute(mechanism name: String, epsilon: Double, words: Int) throws {
        let candidates = Self.runs.filter { $0.mechanism == name && $0.status == "ok" }
        let run = try #require(epsilon == 0 ? candidates.first : candidates.first { $0.epsilon == epsilon })
        let draws = run.rows[0].draws
        let sample = Array(run.perWord.prefix(words))
        let privatizer = try Privatizer(mechanism: try Self.mechanism(of: run), decoder: Self.resources.index)
        let recomputed = DeniabilityStudy.estimate(
            words: sample.map(\.id), draws: draws, privatizer: privatizer, seed: run.seed)
        // Exact, except the perplexity's last bits: its sum's order is fixed
        // now but was not when the table was written.
        for (new, old) in zip(recomputed, sample) {
            #expect(new.id == old.id && new.survival == old.survival && new.support == old.support)
            #expect(new.survivalLower == old.survivalLower && new.survivalUpper == old.survivalUpper)
            #expect(abs(new.perplexity - old.perplexity) <= 1e-12 * old.perplexity)
        }
    }
}
