#if canImport(Glibc)
import Glibc
#endif

/// 1-Diffractor (Meisenbacher, Chevli, Matthes, IWSPA 2024, arXiv
/// 2405.01678; Mechanisms.md §12): noise on a word's position in public
/// word lists instead of on its vector.
///
/// Set-up (public): L lists of the whole vocabulary, each ordered by greedy
/// nearest-neighbour chaining (`ChainedWordList`), list k starting at word
/// id ⌊k·V/L⌋. The paper builds one list per embedding model (five models);
/// with one store, lists from different starting words stand in for them —
/// an adaptation.
///
/// Per token x: pick a list k uniformly, move x's position i_k(x) by
/// two-sided geometric noise Z = G₁ − G₂ (G ~ geometric with ratio
/// q = e^{−ε}: P(Z = z) = (1 − q)/(1 + q)·q^{|z|}), clip to [0, V − 1], and
/// output the word there. (The reference code draws a candidate from every
/// list and picks one uniformly: the same law.) So
///
///     P(y | x) = (1/L)·Σ_k P(clip(i_k(x) + Z) = i_k(y)),
///
/// with P(clip(i + Z) = j) = (1 − q)/(1 + q)·q^{|j − i|} inside the list and
/// q^{|j − i|}/(1 + q) at either end (the tail the clip collects).
///
/// **Guarantee: pure ε in the list-index metric** d_L(x, x′) =
/// max_k |i_k(x) − i_k(x′)|: each list's noisy position is ε·|i − i′|-private
/// (the geometric mechanism), clipping is post-processing, and a uniform
/// mixture's ratio is at most its largest component ratio. It is not
/// Euclidean ε·d: two near words may sit far apart in some list (after a
/// jump), and the bound between them is then weak.
///
/// Unlike the reference, stopwords are privatized like every word, and
/// words outside the vocabulary follow dptext's OOV policy (a stand-in
/// vector is privatized as its nearest word). Sampling is exact
/// (`GeometricCount`'s exact coins).
public struct DiffractorMechanism: WordMechanism {
    public let epsilon: Double
    let lists: [ChainedWordList]
    let store: EmbeddingStore
    private let standInWord = LastComputed<[Double], Int>()

    /// The mechanism's own parameter.
    public enum Parameter {
        public static let lists = MechanismParameter(
            name: "lists", symbol: "L", meaning: "public word lists (each from its own starting word)",
            range: .closed(1, 64), isInteger: true, defaultValue: 5)
    }

    public init(epsilon: Double, lists count: Int = Int(Parameter.lists.defaultValue!), store: EmbeddingStore,
                table: NeighborTable) throws {
        try MechanismParameter.epsilon.check(epsilon)
        try Parameter.lists.check(Double(count))
        precondition(table.wordCount == store.count)
        self.epsilon = epsilon
        self.store = store
        lists = (0..<count).map { ChainedWordList(start: $0 * store.count / count, table: table) }
    }

    /// Built from the shared resources (the standard neighbour table's rows are the chaining's candidates).
    public init(epsilon: Double, lists: Int = Int(Parameter.lists.defaultValue!), resources: VocabularyResources) throws {
        let width = NeighborTable.standardWidth(wordCount: resources.vocabulary.count)
        try self.init(epsilon: epsilon, lists: lists, store: resources.vocabulary,
                      table: try resources.neighborTable(width: width))
    }

    public var name: String { Self.descriptor.name }
    public var parameters: [String: Double] { ["epsilon": epsilon, "lists": Double(lists.count)] }
    public var guarantee: PrivacyGuarantee { .pureListIndexMetric(epsilon: epsilon, lists: lists.count) }

    /// ε·max_k |i_k(a) − i_k(b)|.
    public func claimedLoss(between a: Int, and b: Int, in store: EmbeddingStore) -> Double? {
        epsilon * Double(lists.map { abs($0.position(of: a) - $0.position(of: b)) }.max()!)
    }

    public func draw<G: RandomNumberGenerator>(_ input: MechanismInput, using generator: inout G) -> Draw {
        let list = lists[generator.nextIndex(below: lists.count)]
        let noise = GeometricCount.twoSided(ratioExponent: epsilon, using: &generator)
        let position = min(max(list.position(of: word(for: input)) + noise, 0), list.count - 1)
        return .word(list.word(at: position))
    }

    /// The input's word: itself, or the word nearest a public stand-in vector.
    private func word(for input: MechanismInput) -> Int {
        switch input {
        case .word(let id): return id
        case .publicVector(let vector):
            return standInWord.value(for: vector) { ExactRanking.nearest(in: store, among: 0..<store.count, to: vector)! }
        }
    }

    /// The exact output distribution for `input` (closed form; O(V·L)).
    public func probabilities(_ input: MechanismInput) -> [Double] {
        let q = exp(-epsilon), x = word(for: input)
        var p = [Double](repeating: 0, count: store.count)
        for list in lists {
            let start = list.position(of: x), last = list.count - 1
            for position in 0...last {
                let gap = Double(abs(position - start))
                // An end collects the whole tail beyond it: P(Z ≤ −i) = q^i/(1 + q), likewise above.
                let atEnd = position == 0 || position == last
                let mass = last == 0 ? 1 : atEnd ? pow(q, gap) / (1 + q) : (1 - q) / (1 + q) * pow(q, gap)
                p[list.word(at: position)] += mass / Double(lists.count)
            }
        }
        return p
    }
}

extension DiffractorMechanism: ExactOutputLaw {}

extension DiffractorMechanism {
    public static let descriptor = MechanismDescriptor(
        name: "diffractor", summary: "1-Diffractor: geometric noise on a word's position in public nearest-neighbour chains",
        guaranteeKind: "pure-list-index-metric", parameters: [Parameter.lists], decodesPoints: false,
        epsilonGrid: .values([0.2, 0.3, 0.5, 0.75, 1, 1.5, 3]), cost: .tables
    ) { settings in
        try DiffractorMechanism(epsilon: settings.requiredEpsilon(), lists: settings.integer(Parameter.lists)!,
                                resources: settings.resources)
    }
}
