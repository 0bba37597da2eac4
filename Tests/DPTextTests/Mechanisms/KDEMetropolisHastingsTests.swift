import Foundation
import Testing
@testable import DPText

/// Mechanisms.md §5.2 and §9 T12. Fixed seeds, α = 10⁻⁴.
@Suite("KDE prior + Metropolis–Hastings (T12)")
struct KDEMetropolisHastingsTests {
    static let alpha = 1e-4
    static let toy = try! EmbeddingStore(words: ["0", "1", "3", "7"], vectors: [0, 1, 3, 7], dimension: 1)
    static let (bandwidth, epsilon, z) = (0.5, 1.0, 2.2)

    /// The exact target `p̂(y)·exp(−ε|z − y|)` on the 1-D toy, unnormalized.
    static func target(_ y: Double) -> Double {
        let kde = [0.0, 1, 3, 7].reduce(0) { $0 + exp(-(y - $1) * (y - $1) / (2 * bandwidth * bandwidth)) }
        return kde * exp(-epsilon * abs(z - y))
    }

    /// The target's CDF by Simpson's rule on a fine grid over [−20, 30]
    /// (the mass outside is below e⁻¹⁷).
    static let targetCDF: @Sendable (Double) -> Double = {
        let (low, high, cells) = (-20.0, 30.0, 200_000)
        let width = (high - low) / Double(cells)
        var cumulative = [0.0]
        for i in 0..<cells {
            let a = low + Double(i) * width
            cumulative.append(cumulative.last! + width / 6 * (target(a) + 4 * target(a + width / 2) + target(a + width)))
        }
        let total = cumulative.last!
        let table = cumulative
        return { y in
            guard y > low else { return 0 }
            guard y < high else { return 1 }
            let position = (y - low) / width
            let i = Int(position)
            let fraction = position - Double(i)
            return (table[i] + fraction * (table[i + 1] - table[i])) / total
        }
    }()

    static func denoiser(burnIn: Int, steps: Int, proposalScale: Double? = nil) throws -> MetropolisHastingsDenoiser {
        MetropolisHastingsDenoiser(prior: try GaussianKDEPrior(store: toy, bandwidth: bandwidth),
                                   epsilon: epsilon, burnIn: burnIn, steps: steps, proposalScale: proposalScale)
    }

    /// The chain's sums over its centres, eight centres side by side,
    /// equal the row-by-row loops bit for bit — `Σ (y_k − c_k)²` and
    /// `Σ (y_k − c_k)·a_k` in coordinate order — for centre counts on and
    /// off multiples of eight and coordinates of very different magnitudes.
    @Test("kernel lanes: eight centres at a time, each sum the row-by-row one bit for bit",
          arguments: [(1, 1), (7, 3), (8, 50), (9, 50), (100, 300)])
    func kernelLanesSumRowByRow(count: Int, dimension n: Int) {
        var generator = SeededGenerator(seed: UInt64(count * 1000 + n))
        let rows = (0..<count * n).map { k in TestData.gaussian(using: &generator) * (k % 4 == 0 ? 1e7 : 1e-2) }
        let axes = (0..<count * n).map { _ in TestData.gaussian(using: &generator) }
        let centers = KernelLanes(rows: rows, dimension: n), along = KernelLanes(rows: axes, dimension: n)
        let y = (0..<n).map { _ in TestData.gaussian(using: &generator) * 3 }
        var squared = [Double](repeating: 0, count: count), projected = squared, alone = squared
        y.withUnsafeBufferPointer { y in
            squared.withUnsafeMutableBufferPointer { squared in
                projected.withUnsafeMutableBufferPointer { projected in
                    centers.squaredDistancesAndProjections(from: y, along: along, squared: squared, projections: projected)
                }
            }
            alone.withUnsafeMutableBufferPointer { centers.squaredDistances(from: y, into: $0) }
        }
        for c in 0..<count {
            var sum = 0.0, t = 0.0
            for k in 0..<n {
                let d = y[k] - rows[c * n + k]
                sum += d * d
                t += d * axes[c * n + k]
            }
            #expect(squared[c].bitPattern == sum.bitPattern && alone[c].bitPattern == sum.bitPattern, "centre \(c)")
            #expect(projected[c].bitPattern == t.bitPattern, "centre \(c)")
        }
    }

    @Test("T12: final states of independent chains of the shipped length follow the exact posterior (KS)")
    func finalStatesMatchTheTarget() throws {
        let denoiser = try Self.denoiser(burnIn: KDEMetropolisHastingsMechanism.defaultBurnIn,
                                         steps: KDEMetropolisHastingsMechanism.defaultSteps)
        let observation = NoisyObservation(point: [Self.z])  // the chain's API takes z only
        var accepted = 0
        let finals = (0..<20_000).map { chain -> Double in
            var generator = SeededGenerator(seed: 12, stream: UInt64(chain))
            let (state, count) = denoiser.sample(observation, kernelCenters: [0, 1, 3, 7], using: &generator)
            accepted += count
            return state[0]
        }
        let ks = KolmogorovSmirnovTest(sample: finals, cdf: Self.targetCDF)
        #expect(ks.pValue > Self.alpha, "KS D = \(ks.statistic), p = \(ks.pValue)")
        let rate = Double(accepted) / Double(20_000 * (denoiser.burnIn + denoiser.steps))
        #expect(rate > 0.15 && rate < 0.85, "acceptance rate \(rate)")
    }

    @Test("T12: four long chains agree (Gelman–Rubin R̂ < 1.01)")
    func chainsMix() throws {
        let denoiser = try Self.denoiser(burnIn: 0, steps: 1)
        let observation = NoisyObservation(point: [Self.z])
        let length = 40_000
        let traces: [[Double]] = [-6.0, 0, 4, 10].enumerated().map { index, start in
            var generator = SeededGenerator(seed: 99, stream: UInt64(index))
            var trace: [Double] = []
            _ = denoiser.walk(observation, kernelCenters: [0, 1, 3, 7], from: [start], length: 2 * length, scale: 1.2,
                              using: &generator) { trace.append($0[0]) }
            return Array(trace.suffix(length))  // the first half is burn-in
        }
        let means = traces.map { $0.reduce(0, +) / Double(length) }
        let grand = means.reduce(0, +) / 4
        let between = Double(length) / 3 * means.reduce(0) { $0 + ($1 - grand) * ($1 - grand) }
        let within = zip(traces, means).reduce(0.0) { sum, pair in
            sum + pair.0.reduce(0) { $0 + ($1 - pair.1) * ($1 - pair.1) } / Double(length - 1)
        } / 4
        let variance = (Double(length) - 1) / Double(length) * within + between / Double(length)
        let rHat = (variance / within).squareRoot()
        #expect(rHat < 1.01, "R̂ = \(rHat)")
    }

    @Test("end to end on the 1-D toy: the output law is E_z[posterior mass of each Voronoi cell] (χ²)")
    func outputLawEndToEnd() throws {
        // Input word 1; z = 1 + Laplace noise; output = the word nearest a draw of π(y | z). The
        // reference integrates over z and y on fine grids (midpoint rule): no sampling in it.
        let (words, input) = ([0.0, 1, 3, 7], 1.0)
        let cells = [0.5, 2, 5]  // Voronoi boundaries
        func kde(_ y: Double) -> Double {
            words.reduce(0) { $0 + exp(-(y - $1) * (y - $1) / (2 * Self.bandwidth * Self.bandwidth)) }
        }
        let ys = stride(from: -8.0, to: 16.0, by: 0.008).map { $0 + 0.004 }
        let prior = ys.map(kde)
        var reference = [Double](repeating: 0, count: words.count)
        let dz = 0.008
        for z in stride(from: input - 30, to: input + 30, by: dz).map({ $0 + dz / 2 }) {
            let density = Self.epsilon / 2 * exp(-Self.epsilon * abs(z - input)) * dz
            var mass = [Double](repeating: 0, count: words.count), total = 0.0
            for (y, p) in zip(ys, prior) {
                let weight = p * exp(-Self.epsilon * abs(z - y))
                mass[cells.firstIndex { y < $0 } ?? words.count - 1] += weight
                total += weight
            }
            for w in words.indices { reference[w] += density * mass[w] / total }
        }
        let sum = reference.reduce(0, +)
        // The midpoint rule errs by at most (b − a)·dz²/24·max|f″| = 60 · 0.008² / 24 · ε³/2 = 8·10⁻⁵ for the
        // z integral (the Laplace density's), and nothing for y's normalized share.
        #expect(abs(sum - 1) < 8e-5, "total \(sum)")
        let mechanism = try KDEMetropolisHastingsMechanism(
            epsilon: Self.epsilon, store: Self.toy, bandwidth: Self.bandwidth, burnIn: 20, steps: 60)
        var generator = SeededGenerator(seed: 1212)
        var counts = [Int](repeating: 0, count: words.count)
        let outputs = try Privatizer(mechanism: mechanism, decoder: ExactNeighborIndex(store: Self.toy))
            .privatize([MechanismInput](repeating: .word(1), count: 40_000), using: &generator)
        for output in outputs { counts[output!] += 1 }
        let test = ChiSquareTest(observed: counts, expectedProbabilities: reference.map { $0 / sum })
        #expect(test.pValue > Self.alpha, "\(counts) vs \(reference.map { $0 * 40_000 }): p = \(test.pValue)")
    }

    @Test("the mechanism outputs vocabulary words and reports its acceptance rate")
    func mechanismEndToEnd() throws {
        let store = TestData.randomStore(count: 400, dimension: 6, seed: 8)
        let index = ExactNeighborIndex(store: store)
        let mechanism = try KDEMetropolisHastingsMechanism(
            epsilon: 3, store: store, burnIn: 50, steps: 100)
        #expect(mechanism.guarantee == .pureMetric(epsilon: 3))
        #expect(mechanism.statistics.isEmpty)
        var generator = SeededGenerator(seed: 9)
        let outputs = try Privatizer(mechanism: mechanism, decoder: index)
            .privatize([MechanismInput](repeating: .word(5), count: 300), using: &generator)
        #expect(outputs.allSatisfy { $0 != nil && $0! < store.count })
        let rate = try #require(mechanism.statistics["acceptance_rate"])
        #expect(rate > 0.05 && rate < 0.95, "acceptance rate \(rate)")
        #expect(mechanism.statistics["chains"] == 300)
        // Scott's rule: σ̄·V^{−1/(n+4)} with σ̄ ≈ 1 for standard normal vectors.
        let h = GaussianKDEPrior.scottBandwidth(store)
        #expect(abs(h - pow(400, -0.1)) < 0.08, "h = \(h)")
    }

    /// T3's toy {0, 1, 3, 7} at ε = 1: every pair's loss must stay within ε·d. The
    /// audit's power is shown on the same configuration by a chain started at
    /// φ(x), which it must flag; a pass is therefore evidence, not a formality.
    @Test("keeps ε·d: no certified loss above ε·d on T3's toy, where a chain started at φ(x) is caught")
    func keepsMetricPrivacy() throws {
        let store = PrivacyAuditTesting.toy
        let index = ExactNeighborIndex(store: store)
        let mechanism = try KDEMetropolisHastingsMechanism(
            epsilon: 1, store: store, bandwidth: 0.5, burnIn: 30, steps: 30, kernelNeighbors: 4)
        let pairs = AuditPairs.random(store: store, count: 6, seed: 40)
        let configuration = PrivacyAudit.Configuration(drawsPerSide: 20_000, seed: 41)
        let result = try PrivacyAuditTesting.audit(mechanism, store: store).run(pairs: pairs, configuration: configuration)
        let ratio = try #require(result.maxRatio)
        #expect(!result.verdict.isViolation && ratio <= 1, "\(result.verdict)")
        let planted = try PrivacyAuditTesting.audit(ChainFromInput(base: mechanism), store: store)
            .run(pairs: pairs, configuration: configuration)
        #expect(planted.verdict.isViolation, "\(planted.verdict)")
    }

    /// The shipped defaults (Scott's-rule bandwidth, M = 100 centres, the
    /// default chain length) in 50 dimensions, at ε = 10, against an
    /// importance-sampling reference of the same posterior — independent
    /// draws of the mixture proposal q weighted by π/q, consistent whatever
    /// q is: the output-word distribution of independent chains must match it
    /// (χ² homogeneity against the reference's effective counts over the
    /// three noisy points together, α = 10⁻⁴). 400 GloVe words, so the
    /// reference is cheap.
    @Test("the shipped chain length samples the 50-dimensional posterior (against importance sampling)")
    func shippedDefaultsMatchAnImportanceSamplingReference() throws {
        let glove = try WordTokenizer.wordVocabulary(of: try EmbeddingStore.load(from: TestData.bundledStore))
        let ids = Array(2_000..<2_400)
        let store = try EmbeddingStore(words: ids.map { glove.words[$0] }, vectors: ids.flatMap { glove.vectors[$0 * 50..<($0 + 1) * 50] },
                                       dimension: 50)
        let epsilon = 10.0
        let mechanism = try KDEMetropolisHastingsMechanism(epsilon: epsilon, store: store)
        let index = ExactNeighborIndex(store: store)
        var noise = SeededGenerator(seed: 50)
        var chainCounts: [Int] = [], referenceCounts: [Int] = [], summary: [String] = []
        for (trial, word) in [3, 150, 399].enumerated() {
            let z = zip(store.vector(at: word), MultivariateLaplaceNoise.sample(dimension: 50, epsilon: epsilon, using: &noise)).map(+)
            let centres = index.nearest(to: z, k: mechanism.kernelNeighbors)
            let kernels = centres.flatMap { store.vector(at: $0.id) }
            let proposal = PosteriorProposal(observation: z, centers: kernels, tables: mechanism.denoiser.tables)
            // The reference: 60,000 weighted draws of q.
            var generator = SeededGenerator(seed: 51 + UInt64(trial))
            var weights = [Double](repeating: 0, count: store.count)
            var logWeights: [(Int, Double)] = []
            var y = [Double](repeating: 0, count: 50), normals = y
            var exponents = [Double](repeating: 0, count: centres.count)
            let kernelLanes = KernelLanes(rows: kernels, dimension: 50)
            for _ in 0..<60_000 {
                let uniforms = (generator.nextOpenUnit(), generator.nextOpenUnit(), generator.nextOpenUnit(), generator.nextOpenUnit())
                normals.withUnsafeMutableBufferPointer { generator.fillStandardNormals($0) }
                normals.withUnsafeBufferPointer { n in y.withUnsafeMutableBufferPointer { proposal.sample(uniforms: uniforms, normals: n, into: $0) } }
                let logPrior = y.withUnsafeBufferPointer { y in
                    exponents.withUnsafeMutableBufferPointer { mechanism.denoiser.prior.logDensity(at: y, over: kernelLanes, scratch: $0) } }
                let distance = zip(z, y).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
                let logWeight = logPrior - epsilon * distance - y.withUnsafeBufferPointer(proposal.logDensity)
                logWeights.append((index.nearest(to: y, k: 1)[0].id, logWeight))
            }
            let largest = logWeights.map(\.1).max()!
            for (output, logWeight) in logWeights { weights[output] += exp(logWeight - largest) }
            let total = weights.reduce(0, +)
            let squares = logWeights.reduce(0) { $0 + exp(2 * ($1.1 - largest)) }
            let effective = total * total / squares
            #expect(effective > 20_000, "importance sampling too weak to be a reference: ESS \(effective)")
            // The shipped sampler: 3,000 independent chains.
            var counts = [Int](repeating: 0, count: store.count)
            for chain in 0..<3_000 {
                var stream = SeededGenerator(seed: 60 + UInt64(trial), stream: UInt64(chain))
                let draw = mechanism.denoise(NoisyObservation(point: z), centres: centres, exact: true, using: &stream)
                switch draw.outcome {
                case .word(let id): counts[id] += 1
                case .point(let point): counts[index.nearest(to: point, k: 1)[0].id] += 1
                default: Issue.record("unexpected draw")
                }
            }
            chainCounts += counts
            referenceCounts += weights.map { Int(($0 / total * effective).rounded()) }
            summary.append("z \(trial): ESS \(Int(effective)), \(counts.filter { $0 > 0 }.count) outputs")
        }
        // One table over (noisy point, word): some points have a single likely output.
        let test = ChiSquareTest(chainCounts, referenceCounts)
        let shown = "χ² = \(test.statistic), df = \(test.degreesOfFreedom), p = \(test.pValue); " + summary.joined(separator: "; ")
        #expect(test.pValue > Self.alpha, "\(shown)")
    }

    @Test func rejectsInvalidParameters() {
        let store = TestData.randomStore(count: 20, dimension: 2, seed: 1)
        let index = ExactNeighborIndex(store: store)
        for bad in [0, -1, Double.nan, .infinity] {
            #expect(throws: MechanismError.self) {
                try KDEMetropolisHastingsMechanism(epsilon: bad, store: store)
            }
            #expect(throws: MechanismError.self) {
                try KDEMetropolisHastingsMechanism(epsilon: 1, store: store, bandwidth: bad)
            }
            #expect(throws: MechanismError.self) {
                try KDEMetropolisHastingsMechanism(epsilon: 1, store: store, proposalScale: bad)
            }
        }
        #expect(throws: MechanismError.self) {
            try KDEMetropolisHastingsMechanism(epsilon: 1, store: store, steps: 0)
        }
    }
}
