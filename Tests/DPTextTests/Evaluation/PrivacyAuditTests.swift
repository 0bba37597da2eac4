import Foundation
import Testing
@testable import DPText

/// Mechanisms.md §9 T13: the empirical privacy audit. Fixed seeds; draws
/// are kept small enough for debug builds (the full-size audit is the CLI's).
enum PrivacyAuditTesting {
    /// T3's toy vocabulary {0, 1, 3, 7}.
    static let toy = AuditStores.line([0, 1, 3, 7])
    static let toyIndex = ExactNeighborIndex(store: toy)

    static func audit(_ mechanism: some WordMechanism, store: EmbeddingStore, epsilon: Double? = nil) throws -> PrivacyAudit {
        try PrivacyAudit(privatizer: try Privatizer(mechanism: mechanism, decoder: ExactNeighborIndex(store: store)),
                         epsilon: epsilon)
    }

    static func truncatedGumbel(_ adversarial: AuditStores.Adversarial) throws -> TruncatedGumbelMechanism {
        let store = adversarial.store
        return try TruncatedGumbelMechanism(
            epsilon: adversarial.suggestedEpsilon, store: store, extent: VocabularyExtent(store: store),
            neighbors: ExactNeighborIndex(store: store))
    }
}

/// Planted bug 1: keeps the input word with probability 0.9 whatever ε, else a uniform word.
struct StickyMechanism: WordMechanism {
    let vocabularySize: Int
    let epsilon: Double
    var name: String { "sticky" }
    var parameters: [String: Double] { ["epsilon": epsilon] }
    var guarantee: PrivacyGuarantee { .pureMetric(epsilon: epsilon) }
    func draw<G: RandomNumberGenerator>(_ input: MechanismInput, using generator: inout G) -> Draw {
        guard case .word(let id) = input else { return .input }
        return Double.random(in: 0..<1, using: &generator) < 0.9 ? .word(id)
            : .word(Int.random(in: 0..<vocabularySize, using: &generator))
    }
}

/// Planted bug 2: a mechanism that claims another guarantee than it has
/// (Laplace noise with scale 1/(4ε) claimed as ε).
struct MislabeledMechanism<Base: WordMechanism>: WordMechanism {
    let base: Base
    let claimed: PrivacyGuarantee
    var name: String { "mislabeled-" + base.name }
    var parameters: [String: Double] { base.parameters }
    var guarantee: PrivacyGuarantee { claimed }
    func draw<G: RandomNumberGenerator>(_ input: MechanismInput, using generator: inout G) -> Draw {
        base.draw(input, using: &generator)
    }
}

/// Planted bug 3: KDE-MH whose chain starts at φ(x) instead of z — the
/// pitfall of Mechanisms.md §5.3 — and is too short to forget where it started.
struct ChainFromInput: WordMechanism {
    let base: KDEMetropolisHastingsMechanism
    var steps = 2
    var name: String { "chain-from-input" }
    var parameters: [String: Double] { base.parameters }
    var guarantee: PrivacyGuarantee { base.guarantee }
    func draw<G: RandomNumberGenerator>(_ input: MechanismInput, using generator: inout G) -> Draw {
        let store = base.store
        let center = vector(of: input, in: store)
        let noise = MultivariateLaplaceNoise.sample(dimension: store.dimension, epsilon: base.epsilon, using: &generator)
        let observation = NoisyObservation(point: zip(center, noise).map(+))
        let centers = ExactNeighborIndex(store: store).nearest(to: observation.point, k: base.kernelNeighbors)
            .flatMap { store.vector(at: $0.id) }
        let walked = base.denoiser.walk(observation, kernelCenters: centers, from: center, length: steps, scale: 0.3,
                                        using: &generator)
        return .point(walked.state)
    }
}

@Suite("PrivacyAudit finds violations")
struct PrivacyAuditViolationTests {
    /// V = 5, ε·d = 1.01·(2(1 + ln 5) + 3) = 8.30, P[M(x′) = y] = 0 and
    /// P[M(x) = y] ≈ 0.13. With n = 5·10⁵ test draws and α′ = 10⁻³/N the
    /// expected certified log-ratio is ≈ ln(0.13·5·10⁵/ln(2N/10⁻³)) ≈ 8.8.
    @Test("truncated Gumbel: the §4.4 red flag on the adversarial store")
    func truncatedGumbelViolates() throws {
        let adversarial = AuditStores.adversarial(dimension: 2)
        let audit = try PrivacyAuditTesting.audit(PrivacyAuditTesting.truncatedGumbel(adversarial), store: adversarial.store)
        let result = audit.run(pairs: [adversarial.pair],
                               configuration: .init(drawsPerSide: 1_000_000, alpha: 1e-3, seed: 13))
        guard case .violation(let pair, let output, let ratio, let bound, let allowed) = result.verdict else {
            Issue.record("expected a violation, got \(result.verdict)")
            return
        }
        #expect(pair.first == 0 && pair.second == 2 && output.id == adversarial.target, "\(result.verdict)")
        #expect(bound > allowed && ratio > 1, "\(result.verdict)")
        #expect(abs(allowed - adversarial.suggestedEpsilon) < 1e-12)
        let worst = try #require(result.pairs[0].worst)
        #expect(worst.otherTestCount == 0 && worst.otherSelectionCount == 0, "P[M(x′) = y] is exactly 0")
    }

    @Test("a mechanism that keeps the input with probability 0.9 is flagged")
    func stickyMechanismIsFlagged() throws {
        let audit = try PrivacyAuditTesting.audit(StickyMechanism(vocabularySize: 4, epsilon: 1), store: PrivacyAuditTesting.toy)
        let result = audit.run(pairs: AuditPairs.random(store: PrivacyAuditTesting.toy, count: 6, seed: 1),
                               configuration: .init(drawsPerSide: 20_000, seed: 2))
        #expect(result.verdict.isViolation, "\(result.verdict)")
    }

    @Test("Laplace with noise scale 1/(4ε) claimed as ε is flagged")
    func wrongScaleIsFlagged() throws {
        let base = try MultivariateLaplaceMechanism(epsilon: 4, store: PrivacyAuditTesting.toy)
        let audit = try PrivacyAuditTesting.audit(
            MislabeledMechanism(base: base, claimed: .pureMetric(epsilon: 1)), store: PrivacyAuditTesting.toy)
        let result = audit.run(pairs: AuditPairs.random(store: PrivacyAuditTesting.toy, count: 6, seed: 1),
                               configuration: .init(drawsPerSide: 20_000, seed: 3))
        #expect(result.verdict.isViolation, "\(result.verdict)")
        #expect((result.maxRatio ?? 0) > 2, "true max ratio 4, got \(String(describing: result.maxRatio))")
    }
}

@Suite("PrivacyAudit finds no violation in correct mechanisms")
struct PrivacyAuditNoViolationTests {
    /// T3: the true max ratio over pairs is exactly 1, and every pair has a
    /// tight output (one beyond both words, e.g. output 3 from 1 vs 0:
    /// 0.174782/0.064299 = e). With n = 5·10⁴ test draws and N ≤ 30 tests at
    /// α = 10⁻⁴, the certified bound on that ln-ratio falls short of 1 by
    /// about z·√(1/(0.175n) + 1/(0.064n)) ≈ 6·0.021 ≈ 0.13 (less for pairs
    /// at larger d); the tolerance asks for more than 0.75.
    @Test("multivariate Laplace on T3's toy: certified ratio ≤ 1 and close to it")
    func laplaceOnToy() throws {
        let audit = try PrivacyAuditTesting.audit(
            MultivariateLaplaceMechanism(epsilon: 1, store: PrivacyAuditTesting.toy), store: PrivacyAuditTesting.toy)
        let pairs = AuditPairs.random(store: PrivacyAuditTesting.toy, count: 3, seed: 4)
        #expect(pairs.count == 3)
        let result = audit.run(pairs: pairs, configuration: .init(drawsPerSide: 100_000, seed: 5))
        let ratio = try #require(result.maxRatio)
        #expect(!result.verdict.isViolation && ratio <= 1 && ratio > 0.75, "\(result.verdict)")
    }

    @Test("multivariate Laplace on the adversarial store")
    func laplaceOnAdversarialStore() throws {
        let adversarial = AuditStores.adversarial(dimension: 2)
        let index = ExactNeighborIndex(store: adversarial.store)
        let audit = try PrivacyAuditTesting.audit(
            MultivariateLaplaceMechanism(epsilon: 2, store: adversarial.store), store: adversarial.store)
        let pairs = [adversarial.pair] + AuditPairs.nearestNeighbor(index: index, count: 5, seed: 6)
        let result = audit.run(pairs: AuditPairs.unique(pairs), configuration: .init(drawsPerSide: 50_000, seed: 7))
        #expect(!result.verdict.isViolation, "\(result.verdict)")
        #expect((result.maxRatio ?? 0) > 0.5, "\(result.verdict)")
    }

    /// Every mechanism of the catalog whose guarantee is proven, audited against its own claim
    /// (`claimedLoss`: ε·d, ε within groups, only the covered words, …) on a small random store.
    @Test("every catalog mechanism with a proven guarantee passes the audit of its claim",
          arguments: MechanismCatalog.privatizing.filter { $0.unverifiedBecause == nil }.map(\.name))
    func catalogMechanismPasses(name: String) throws {
        let descriptor = try #require(MechanismCatalog.named(name))
        let store = TestData.randomStore(count: 12, dimension: 2, seed: 8)
        let resources = VocabularyResources(vocabulary: store)
        let chain: [String: Double] = descriptor.cost == .chain ? ["burn_in": 20, "steps": 20] : [:]
        let mechanism = try descriptor.make(MechanismSettings(epsilon: 1.5, values: chain, resources: resources))
        #expect(mechanism.guarantee.kind == descriptor.guaranteeKind)
        let audit = try PrivacyAuditTesting.audit(mechanism, store: store)
        // Pairs the mechanism makes a claim for (a partial mechanism covers some words only).
        let covered = AuditPairs.unique(AuditPairs.nearestNeighbor(index: resources.index, count: 12, seed: 9)
                                        + AuditPairs.random(store: store, count: 30, seed: 10))
            .filter { mechanism.claimedLoss(between: $0.first, and: $0.second, in: store) != nil }
        let pairs = Array(covered.prefix(6))
        let draws = descriptor.cost == .chain ? 4_000 : 20_000
        let result = audit.run(pairs: pairs, configuration: .init(drawsPerSide: draws, seed: 11))
        #expect(!result.verdict.isViolation, "\(name): \(result.verdict)")
        #expect(result.testCount > 0, "\(name): the audit tested nothing")
    }

    @Test("the mechanisms whose guarantee is unverified are the ones the violation tests cover")
    func unverifiedMechanismsAreAudited() {
        // A new unverified mechanism needs its own violation test, like truncated Gumbel's above.
        #expect(MechanismCatalog.privatizing.filter { $0.unverifiedBecause != nil }.map(\.name) == ["truncated-gumbel"])
    }

    @Test("KDE + Metropolis–Hastings with a short chain")
    func kdeMetropolisHastings() throws {
        let store = TestData.randomStore(count: 12, dimension: 2, seed: 8)
        let index = ExactNeighborIndex(store: store)
        let mechanism = try KDEMetropolisHastingsMechanism(
            epsilon: 1, store: store, burnIn: 20, steps: 20, kernelNeighbors: 12)
        let audit = try PrivacyAuditTesting.audit(mechanism, store: store)
        let pairs = AuditPairs.nearestNeighbor(index: index, count: 2, seed: 9)
            + AuditPairs.random(store: store, count: 1, seed: 10)
        let result = audit.run(pairs: AuditPairs.unique(pairs), configuration: .init(drawsPerSide: 4_000, seed: 11))
        #expect(!result.verdict.isViolation, "\(result.verdict)")
        // Power: the same audit flags the same chain started at φ(x).
        let planted = try PrivacyAuditTesting.audit(ChainFromInput(base: mechanism), store: store)
        let flagged = planted.run(pairs: AuditPairs.unique(pairs), configuration: .init(drawsPerSide: 4_000, seed: 11))
        #expect(flagged.verdict.isViolation, "\(flagged.verdict)")
    }
}

@Suite("PrivacyAudit statistics plumbing")
struct PrivacyAuditPlumbingTests {
    @Test("α′ = α/N over all tests; bounds are Clopper–Pearson at α′ on the test half")
    func bonferroniAndClopperPearson() throws {
        let audit = try PrivacyAuditTesting.audit(StickyMechanism(vocabularySize: 4, epsilon: 1), store: PrivacyAuditTesting.toy)
        let configuration = PrivacyAudit.Configuration(drawsPerSide: 9_001, alpha: 0.01, outputsPerDirection: 2, seed: 21)
        #expect(configuration.ranking == .certifiedLogRatio)
        let result = audit.run(pairs: AuditPairs.random(store: PrivacyAuditTesting.toy, count: 4, seed: 22),
                               configuration: configuration)
        let tests = result.pairs.flatMap(\.tests)
        #expect(result.testCount == tests.count && tests.count == 16)  // 4 pairs × 2 directions × 2 outputs
        #expect(result.adjustedAlpha == 0.01 / 16)
        #expect(configuration.selectionDraws == 4_500 && configuration.testDraws == 4_501)
        #expect(result.selectionThreshold == 10)
        for test in tests {
            let n = configuration.testDraws
            let mine = ClopperPearsonInterval(successes: test.testCount, trials: n, confidence: 1 - result.adjustedAlpha)
            let theirs = ClopperPearsonInterval(successes: test.otherTestCount, trials: n, confidence: 1 - result.adjustedAlpha)
            #expect(abs(test.lowerProbability - mine.lower) <= 1e-9 * mine.lower)
            #expect(abs(test.upperProbability - theirs.upper) <= 1e-9 * theirs.upper)
            #expect(test.selectionCount + test.testCount > 0)
            if let bound = test.logRatioLowerBound {
                #expect(abs(bound - log(test.lowerProbability / test.upperProbability)) < 1e-12)
            }
        }
    }

    @Test("selection ranking: empirical log-ratio, or the bound the selection half certifies")
    func rankings() {
        // y = 1 is rarer but more extreme; y = 2 is frequent enough to certify more.
        let mine = [1: 12, 2: 4_000], theirs = [2: 400]
        #expect(PrivacyAudit.select(mine, against: theirs, draws: 10_000, threshold: 10, limit: 2,
                                    ranking: .empiricalLogRatio, level: 1e-4) == [1, 2])
        #expect(PrivacyAudit.select(mine, against: theirs, draws: 10_000, threshold: 10, limit: 2,
                                    ranking: .certifiedLogRatio, level: 1e-4) == [2, 1])
        #expect(PrivacyAudit.select(mine, against: theirs, draws: 10_000, threshold: 13, limit: 2,
                                    ranking: .empiricalLogRatio, level: 1e-4) == [2])
    }

    @Test("(ε, δ) claims: the bound is ln((p_L − (1 + e^{ε·d})·δ)/p_U)")
    func approximateClaims() throws {
        #expect(PrivacyAudit.certifiedLogRatio(lower: 0.5, upper: 0.01, allowed: 1, delta: 0) == log(50))
        let bound = try #require(PrivacyAudit.certifiedLogRatio(lower: 0.5, upper: 0.01, allowed: 1, delta: 0.01))
        #expect(abs(bound - log((0.5 - (1 + M_E) * 0.01) / 0.01)) < 1e-12)
        #expect(PrivacyAudit.certifiedLogRatio(lower: 0.02, upper: 0.01, allowed: 1, delta: 0.01) == nil)
        let claimed = MislabeledMechanism(base: IdentityMechanism(), claimed: .approximateMetric(epsilon: 2, delta: 1e-3))
        let audit = try PrivacyAuditTesting.audit(claimed, store: PrivacyAuditTesting.toy)
        #expect(audit.epsilon == 2 && audit.delta == 1e-3)
        #expect(throws: PrivacyAuditError.noClaim("identity")) {
            try PrivacyAuditTesting.audit(IdentityMechanism(), store: PrivacyAuditTesting.toy)
        }
        #expect(try PrivacyAuditTesting.audit(IdentityMechanism(), store: PrivacyAuditTesting.toy, epsilon: 3).epsilon == 3)
    }

    @Test("held out: outputs are selected on the first half only and bounded on the second only",
          arguments: PrivacyAudit.Configuration.Ranking.allCases)
    func heldOutHalves(ranking: PrivacyAudit.Configuration.Ranking) {
        let configuration = PrivacyAudit.Configuration(drawsPerSide: 2_000, outputsPerDirection: 1, ranking: ranking)
        #expect(configuration.selectionThreshold == 10)
        let selection = [[0: 900, 1: 90, 2: 5, 3: 5], [0: 500, 1: 10, 2: 5, 3: 485]]
        func analyze(test: [[Int: Int]], selection: [[Int: Int]]) -> PrivacyAuditResult {
            let counts = [(0..<2).map { PrivacyAudit.SideCounts(selection: selection[$0], test: test[$0]) }]
            return PrivacyAudit.analyze(
                pairs: [AuditPair(first: 0, second: 1, store: PrivacyAuditTesting.toy, kind: .given)], counts: counts,
                configuration: configuration, epsilon: 1, delta: 0,
                mechanism: IdentityMechanism(), store: PrivacyAuditTesting.toy)
        }
        // Output 2 is extreme in the test half but rare in the selection half: never tested.
        let result = analyze(test: [[0: 300, 1: 200, 2: 500], [0: 990, 1: 9, 3: 1]], selection: selection)
        let tests = result.pairs[0].tests
        #expect(tests.map(\.output.id) == [1, 3])
        #expect(tests.map(\.selectionCount) == [90, 485] && tests.map(\.otherSelectionCount) == [10, 5])
        #expect(tests.map(\.testCount) == [200, 1] && tests.map(\.otherTestCount) == [9, 0])
        let (lower, upper) = PrivacyAudit.bounds(count: 200, otherCount: 9, trials: 1_000, adjustedAlpha: 1e-4 / 2)
        #expect(tests[0].lowerProbability == lower && tests[0].upperProbability == upper)
        // Other test halves change the bounds, never which outputs are tested.
        let other = analyze(test: [[2: 1_000], [2: 1_000]], selection: selection)
        #expect(other.pairs[0].tests.map(\.output.id) == [1, 3])
        #expect(other.pairs[0].tests.allSatisfy { $0.testCount == 0 && $0.logRatioLowerBound == nil })
        // Another selection half does.
        let swapped = analyze(test: [[2: 1_000], [2: 1_000]], selection: [[2: 100, 0: 900], [0: 1_000]])
        #expect(swapped.pairs[0].tests.map(\.output.id) == [2, 0])
    }

    @Test("halves and sides draw from disjoint streams; results do not depend on threads")
    func streamsAndDeterminism() throws {
        var streams = Set<UInt64>()
        for pair in 0..<3 { for side in 0..<2 { for half in 0..<2 { for chunk in 0..<5 {
            streams.insert(PrivacyAudit.stream(pair: pair, side: side, half: half, chunk: chunk))
        } } } }
        #expect(streams.count == 60)
        let audit = try PrivacyAuditTesting.audit(
            MultivariateLaplaceMechanism(epsilon: 1, store: PrivacyAuditTesting.toy), store: PrivacyAuditTesting.toy)
        let pairs = AuditPairs.random(store: PrivacyAuditTesting.toy, count: 2, seed: 23)
        let configuration = PrivacyAudit.Configuration(drawsPerSide: 3_001, seed: 24, chunkSize: 500)
        let parallel = audit.collect(pairs: pairs, configuration: configuration)
        let serial = audit.collect(pairs: pairs, configuration: configuration, concurrently: false)
        #expect(parallel == serial)
        for side in parallel.joined() {
            #expect(side.selection.values.reduce(0, +) == 1_500 && side.test.values.reduce(0, +) == 1_501)
            #expect(side.selection != side.test)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let first = try encoder.encode(audit.run(pairs: pairs, configuration: configuration))
        let second = try encoder.encode(audit.run(pairs: pairs, configuration: configuration))
        #expect(first == second)
    }

    @Test("verdicts: JSON round trip and descriptions")
    func verdicts() throws {
        let pair = AuditPair(first: 0, second: 1, store: PrivacyAuditTesting.toy, kind: .given)
        let violation = AuditVerdict.violation(pair: pair, output: AuditWord(id: 3, word: "p3"), ratio: 1.5,
                                               logRatioLowerBound: 12.34, allowed: 8.1)
        #expect(violation.description
                == "violation: pair (p0, p1), output p3: ln P[M(p0)=p3]/P[M(p1)=p3] ≥ 12.3 > ε·d = 8.1")
        #expect(AuditVerdict.violation(pair: pair, output: AuditWord(id: 3, word: "p3"), ratio: 1.0001,
                                       logRatioLowerBound: 8.10049, allowed: 8.1).description.hasSuffix("≥ 8.1004 > ε·d = 8.1"))
        let none = AuditVerdict.noViolationFound(maxRatio: 0.4123)
        #expect(none.description == "no violation found (largest certified loss ratio 0.41 of the allowed ε·d)")
        for verdict in [violation, none, .noViolationFound(maxRatio: nil)] {
            #expect(try JSONDecoder().decode(AuditVerdict.self, from: JSONEncoder().encode(verdict)) == verdict)
        }
    }
}

@Suite("PrivacyAudit pairs and stores")
struct PrivacyAuditPairTests {
    @Test("the adversarial store: Δ_min = d(x, x′) = 1, y at rank 2 for x and rank V for x′", arguments: [2, 3, 16])
    func adversarialStore(dimension: Int) throws {
        let adversarial = AuditStores.adversarial(dimension: dimension)
        let store = adversarial.store
        #expect(store.count == 2 * dimension + 1)
        let extent = try VocabularyExtent(store: store)
        #expect(extent.minimumDistance == 1 && extent.maximumDistance == 3.5)
        #expect(adversarial.pair.distance == 1)
        let index = ExactNeighborIndex(store: store)
        let (x, x2, y) = (adversarial.pair.first, adversarial.pair.second, adversarial.target)
        #expect(index.neighbors(ofWord: x, k: 3).map(\.id) == [x, y, x2])
        #expect(index.neighbors(ofWord: x2, k: store.count).last?.id == y)
        #expect(abs(adversarial.minimumEpsilon - (2 * (1 + log(Double(store.count))) + 3)) < 1e-12)
        // The pair search finds the same pair first.
        let found = try #require(AuditPairs.adversarial(index: index, count: 3, seed: 25).first)
        #expect(found.key == [x, x2] && found.first == x && found.target == y && found.targetRanks == [2, store.count])
    }

    @Test("nearest-neighbour and random pairs")
    func nearestAndRandomPairs() {
        let store = TestData.randomStore(count: 40, dimension: 3, seed: 26)
        let index = ExactNeighborIndex(store: store)
        let nearest = AuditPairs.nearestNeighbor(index: index, count: 10, seed: 27)
        #expect(!nearest.isEmpty && nearest.count <= 10)
        for pair in nearest {
            #expect(index.neighbors(ofWord: pair.first, k: 2)[1].id == pair.second && pair.kind == .nearestNeighbor)
        }
        #expect(nearest == AuditPairs.nearestNeighbor(index: index, count: 10, seed: 27))
        let random = AuditPairs.random(store: store, count: 30, seed: 28)
        #expect(random.count == 30 && Set(random.map(\.key)).count == 30)
        #expect(random.allSatisfy { $0.first < $0.second && $0.distance == store.distance(between: $0.first, and: $0.second) })
        #expect(AuditPairs.random(store: store, count: 2_000, seed: 28).count == 40 * 39 / 2)
    }
}
