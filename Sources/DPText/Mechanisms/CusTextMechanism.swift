import Foundation

/// CusText (Chen et al., Findings of ACL 2023, arXiv 2207.01193;
/// Mechanisms.md §6.5): each word is replaced by a word of its own small
/// group, chosen by an exponential mechanism inside the group.
///
/// The vocabulary is split once into disjoint groups of K words by the
/// conservative mapping (`VocabularyPartition`, over the store's public
/// frequency order, not a task corpus's). For an input x in group G, with
/// the distances normalized inside G,
///
///     u(x, y) = −(d(x, y) − d_min)/(d_max − d_min) ∈ [−1, 0],   y ∈ G
///     P(y | x) ∝ exp(ε·u(x, y)/2)
///
/// (d_min = 0 is x itself; when every member is as far as every other, the
/// draw is uniform on G). The `--oov unk` stand-in uses the group of its
/// nearest word, its own distances normalized the same way. The official
/// code's `randint(1000)` added to numbers, which is not DP, is not reproduced.
///
/// **Guarantee: plain ε-DP among the words of one group, nothing across
/// groups.** u has sensitivity 1 in x for every fixed output set G (it is
/// in [−1, 0] for every x), so the exponential mechanism gives ε within G;
/// words of different groups have disjoint outputs — the output reveals the
/// group. This is not ε·d_χ, and the report does not call it so.
///
/// Sampling: exactly that law, every member with its own positive
/// probability however large ε is (`ExponentialChoice`: integer proposal
/// weights and exact coins, no underflow).
///
/// Parameters: ε > 0; K ≥ 1, default 20 (the official `top_k`).
public struct CusTextMechanism: WordMechanism {
    public let epsilon: Double
    public let partition: VocabularyPartition
    let store: EmbeddingStore
    /// Each frequent word's group: running integer weights and exponents, `partition.groupSize` entries per word.
    private let frequentCumulative: [UInt64]
    private let frequentExponents: [Double]
    private let frequentWords: Int
    /// The scale of the integer weights (`ExponentialCoin.scale`).
    private let scale: Int
    private let standInGroup = LastComputed<[Double], Int>()

    public init(epsilon: Double, store: EmbeddingStore, partition: VocabularyPartition, frequentWords: Int = 1 << 16) throws {
        try MechanismParameter.epsilon.check(epsilon)
        self.epsilon = epsilon
        self.partition = partition
        self.store = store
        let width = partition.groupSize
        // Tables of at most 2²² members (64 MB), however large K.
        let frequent = min(frequentWords, store.count, (1 << 22) / width)
        let scale = ExponentialCoin.scale(forSlots: width)
        var cumulative = [UInt64](repeating: 0, count: frequent * width)
        var exponents = [Double](repeating: 0, count: frequent * width)
        for id in 0..<frequent {
            guard let group = partition.group(of: id) else { continue }
            let x = Self.exponents(distances: group.map { store.squaredDistance(between: id, and: Int($0)).squareRoot() },
                                   epsilon: epsilon)
            cumulative.replaceSubrange(id * width..<id * width + x.count,
                                       with: ExponentialChoice.cumulativeWeights(x, scale: scale))
            exponents.replaceSubrange(id * width..<id * width + x.count, with: x)
        }
        (frequentCumulative, frequentExponents, self.frequentWords, self.scale) = (cumulative, exponents, frequent, scale)
    }

    /// Built from the shared resources: the partition into groups of `groupSize`.
    public init(epsilon: Double, groupSize: Int = Int(Parameter.topK.defaultValue!), resources: VocabularyResources,
                excluded: Set<String> = []) throws {
        try Parameter.topK.check(groupSize)
        try self.init(epsilon: epsilon, store: resources.vocabulary,
                      partition: try resources.partition(groupSize: groupSize, excluded: excluded))
    }

    /// CusText's own parameter.
    public enum Parameter {
        /// K = 1 would put every word in a group of its own: the output would be the input.
        public static let topK = MechanismParameter(
            name: "top_k", symbol: "K", meaning: "words per group", range: .closed(2, 1000), isInteger: true,
            defaultValue: 20)
    }

    /// `−ε·u/2 ≥ 0` per member, u the normalized utility of the type's
    /// documentation: the weights are `exp(−x)`.
    static func exponents(distances: [Double], epsilon: Double) -> [Double] {
        let (low, high) = (distances.min() ?? 0, distances.max() ?? 0)
        guard high > low else { return distances.map { _ in 0 } }
        return distances.map { epsilon / 2 * ($0 - low) / (high - low) }
    }

    public var name: String { Self.descriptor.name }
    public var parameters: [String: Double] {
        ["epsilon": epsilon, "top_k": Double(partition.groupSize), "groups": Double(partition.groupCount)]
    }
    public var guarantee: PrivacyGuarantee { .pureWithinGroups(epsilon: epsilon, groupSize: partition.groupSize) }

    /// ε between two words of one group; nothing between groups.
    public func claimedLoss(between a: Int, and b: Int, in store: EmbeddingStore) -> Double? {
        partition.sameGroup(a, b) ? epsilon : nil
    }

    public func draw<G: RandomNumberGenerator>(_ input: MechanismInput, using generator: inout G) -> Draw {
        switch input {
        case .word(let id):
            guard let group = partition.group(of: id) else { return .unprotected(id) }
            if id < frequentWords {
                let members = id * partition.groupSize..<id * partition.groupSize + group.count
                let index = ExponentialChoice.draw(exponents: frequentExponents[members],
                                                   cumulative: frequentCumulative[members], scale: scale, using: &generator)
                return .word(Int(group[group.startIndex + index]))
            }
            return .word(sample(group, distances: group.map { store.squaredDistance(between: id, and: Int($0)).squareRoot() },
                                using: &generator))
        case .publicVector(let vector):
            let nearest = standInGroup.value(for: vector) {
                ExactRanking.nearest(in: store, among: (0..<store.count).filter { partition.group(of: $0) != nil },
                                     to: vector)!
            }
            let group = partition.group(of: nearest)!
            let distances = vector.withUnsafeBufferPointer { query in
                group.map { store.squaredDistance(from: query, to: Int($0)).squareRoot() }
            }
            return .word(sample(group, distances: distances, using: &generator))
        }
    }

    private func sample<G: RandomNumberGenerator>(_ group: ArraySlice<Int32>, distances: [Double], using generator: inout G) -> Int {
        let exponents = Self.exponents(distances: distances, epsilon: epsilon)
        let index = ExponentialChoice.draw(exponents: exponents,
                                           cumulative: ExponentialChoice.cumulativeWeights(exponents, scale: scale),
                                           scale: scale, using: &generator)
        return Int(group[group.startIndex + index])
    }

    /// The exact output distribution for `input` (closed form).
    public func probabilities(_ input: MechanismInput) -> [Double] {
        var p = [Double](repeating: 0, count: store.count)
        guard case .word(let id) = input, let group = partition.group(of: id) else {
            if case .word(let id) = input { p[id] = 1 }
            return p
        }
        let weights = Self.exponents(
            distances: group.map { store.squaredDistance(between: id, and: Int($0)).squareRoot() }, epsilon: epsilon
        ).map { exp(-$0) }
        let total = weights.reduce(0, +)
        for (member, weight) in zip(group, weights) { p[Int(member)] = weight / total }
        return p
    }
}

extension CusTextMechanism {
    public static let descriptor = MechanismDescriptor(
        name: "custext", summary: "an exponential mechanism inside public groups of K words",
        guaranteeKind: "pure-within-groups", parameters: [Parameter.topK], decodesPoints: false,
        epsilonGrid: .values([1, 3, 5, 7, 10, 12, 15]), cost: .tables
    ) { settings in
        try CusTextMechanism(epsilon: settings.requiredEpsilon(), groupSize: settings.integer(Parameter.topK)!,
                             resources: settings.resources)
    }
}
