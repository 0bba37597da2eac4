import Foundation

/// Two different vocabulary words whose output distributions a privacy
/// audit compares (Mechanisms.md §9 T13). The audit tests both directions,
/// so the order of `first` and `second` only matters in reports.
public struct AuditPair: Codable, Sendable, Hashable {
    /// How the pair was chosen.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// A word and its nearest other word.
        case nearestNeighbor = "nearest-neighbor"
        /// Two words drawn uniformly.
        case random
        /// Built against candidate-set mechanisms (§4.4); see `AuditPairs.adversarial`.
        case adversarial
        /// Given by the caller (such as `AuditStores.Adversarial.pair`).
        case given
    }

    public let first: Int
    public let second: Int
    public let firstWord: String
    public let secondWord: String
    /// d(first, second) = ‖φ(first) − φ(second)‖₂ > 0.
    public let distance: Double
    public let kind: Kind
    /// Adversarial pairs: the output y the pair was chosen for.
    public let target: Int?
    /// Adversarial pairs: y's rank among `first`'s neighbours and among
    /// `second`'s (the word itself is rank 1; `rankCap + 1` means "beyond the search").
    public let targetRanks: [Int]?

    /// - Precondition: the words differ and their vectors do too.
    public init(first: Int, second: Int, store: EmbeddingStore, kind: Kind,
                target: Int? = nil, targetRanks: [Int]? = nil) {
        precondition(first != second, "AuditPair: the two words must differ")
        let distance = store.distance(between: first, and: second)
        precondition(distance > 0, "AuditPair: \(store.words[first]) and \(store.words[second]) share a vector")
        self.first = first
        self.second = second
        self.firstWord = store.words[first]
        self.secondWord = store.words[second]
        self.distance = distance
        self.kind = kind
        self.target = target
        self.targetRanks = targetRanks
    }

    /// The same pair with the roles of the words swapped.
    public var reversed: AuditPair {
        AuditPair(first: second, second: first, firstWord: secondWord, secondWord: firstWord, distance: distance,
                  kind: kind, target: target, targetRanks: targetRanks.map { Array($0.reversed()) })
    }

    private init(first: Int, second: Int, firstWord: String, secondWord: String, distance: Double,
                 kind: Kind, target: Int?, targetRanks: [Int]?) {
        self.first = first
        self.second = second
        self.firstWord = firstWord
        self.secondWord = secondWord
        self.distance = distance
        self.kind = kind
        self.target = target
        self.targetRanks = targetRanks
    }

    /// The unordered pair, for removing duplicates.
    var key: [Int] { [min(first, second), max(first, second)] }
}

/// The three kinds of pairs of T13, reproducible from a seed. Neighbour
/// ranks come from an exact index, in the order every search in dptext uses
/// (nearer first, ties to the lower id), which is also the order
/// candidate-set mechanisms build their sets in.
public enum AuditPairs {
    /// `count` pairs (x, nearest other word of x), x drawn uniformly without
    /// replacement with `seed`; pairs that repeat (x and x′ each other's
    /// nearest) are kept once, so fewer may come back.
    public static func nearestNeighbor(index: ExactNeighborIndex, count: Int, seed: UInt64) -> [AuditPair] {
        let store = index.store
        let sources = sample(store.count, count, seed: seed)
        let lists = index.neighbors(ofWords: sources, k: 2)
        return unique(zip(sources, lists).compactMap { x, list in
            list.count < 2 || list[1].distance == 0 ? nil
                : AuditPair(first: x, second: list[1].id, store: store, kind: .nearestNeighbor)
        })
    }

    /// `count` distinct unordered pairs of different words, uniform
    /// (all V(V − 1)/2 of them when `count` is at least that).
    public static func random(store: EmbeddingStore, count: Int, seed: UInt64) -> [AuditPair] {
        let total = store.count * (store.count - 1) / 2
        var generator = SeededGenerator(seed: seed, stream: 1)
        var keys: [[Int]]
        if count >= total || total <= 4 * count {
            keys = (0..<store.count).flatMap { i in (i + 1..<store.count).map { [i, $0] } }
            keys.shuffle(using: &generator)
            keys = Array(keys.prefix(count))
        } else {
            var seen = Set<[Int]>()
            keys = []
            while keys.count < count {
                let i = Int.random(in: 0..<store.count, using: &generator)
                let j = Int.random(in: 0..<store.count, using: &generator)
                guard i != j, seen.insert([min(i, j), max(i, j)]).inserted else { continue }
                keys.append([min(i, j), max(i, j)])
            }
        }
        return keys.compactMap { key in
            store.distance(between: key[0], and: key[1]) > 0
                ? AuditPair(first: key[0], second: key[1], store: store, kind: .random) : nil
        }
    }

    /// Pairs against candidate-set mechanisms such as truncated Gumbel
    /// (Mechanisms.md §4.4). For each source word x (all words, or
    /// `sourceLimit` of them drawn with `seed`), each y at rank 2…3 among
    /// x's neighbours, and each x′ ≠ y among x's `closeNeighbors` nearest
    /// other words, let r′ = rank(y; x′), searched up to `rankCap`. A
    /// mechanism with K ~ Poisson(μ) truncated to K ≤ V − 1 candidates
    /// outputs y for x′ with probability at most `P(K ≥ r′)`, which is 0 when
    /// r′ = V, so the triple is scored by the predicted log-ratio per unit
    /// distance
    ///
    ///     s = −ln P(K ≥ r′) / d(x, x′)      (+∞ when r′ > V − 1),
    ///
    /// with μ = ln(V − 1) (the mechanism's default) unless given. Each x
    /// keeps its best triple (so one frequent word cannot fill the list), and
    /// the `count` best-scoring distinct unordered pairs are returned (ties:
    /// nearer, then lower ids), oriented (x, x′), with `target` y and
    /// `targetRanks` [rank(y; x), r′].
    public static func adversarial(
        index: ExactNeighborIndex, count: Int, closeNeighbors: Int = 10, rankCap: Int = 1000,
        sourceLimit: Int = 500, poissonMean: Double? = nil, seed: UInt64
    ) -> [AuditPair] {
        let store = index.store
        let V = store.count
        guard V >= 3, count > 0 else { return [] }
        let sources = sample(V, sourceLimit, seed: seed)
        let near = index.neighbors(ofWords: sources, k: min(V, max(closeNeighbors, 2) + 1))
        let partners = Array(Set(near.flatMap { $0.dropFirst().map(\.id) })).sorted()
        let cap = min(V, max(rankCap, 3))
        var rankOf: [Int: [Int: Int]] = [:]  // x′ → (word → rank)
        for (x2, list) in zip(partners, index.neighbors(ofWords: partners, k: cap)) {
            rankOf[x2] = Dictionary(uniqueKeysWithValues: list.enumerated().map { ($1.id, $0 + 1) })
        }
        let poisson = TruncatedPoisson(mean: poissonMean ?? log(Double(V - 1)), maximum: V - 1)
        func logTail(_ rank: Int) -> Double {  // ln P(K ≥ rank)
            if rank > V - 1 { return -.infinity }
            let tail = poisson.upperTail(above: rank - 1)
            return tail > 0 ? log(tail) : log(poisson.probability(of: rank))
        }
        struct Candidate { let score: Double; let pair: AuditPair }
        var candidates: [Candidate] = []
        for (x, list) in zip(sources, near) {
            for yRank in 2...3 where yRank <= list.count {
                let y = list[yRank - 1].id
                for partner in list.dropFirst() where partner.id != y && partner.distance > 0 {
                    let r2 = rankOf[partner.id]?[y] ?? cap + 1
                    let score = -logTail(r2) / partner.distance
                    candidates.append(Candidate(score: score, pair: AuditPair(
                        first: x, second: partner.id, store: store, kind: .adversarial,
                        target: y, targetRanks: [yRank, r2])))
                }
            }
        }
        candidates.sort {
            ($0.score, -$0.pair.distance, -$0.pair.first, -$0.pair.second, -($0.pair.target ?? 0))
                > ($1.score, -$1.pair.distance, -$1.pair.first, -$1.pair.second, -($1.pair.target ?? 0))
        }
        var sourcesUsed = Set<Int>()
        let best = candidates.map(\.pair).filter { sourcesUsed.insert($0.first).inserted }
        return Array(unique(best).prefix(count))
    }

    /// `count` distinct ids of 0..<V drawn without replacement (all, in order, when count ≥ V).
    static func sample(_ V: Int, _ count: Int, seed: UInt64) -> [Int] {
        guard count < V else { return Array(0..<V) }
        var generator = SeededGenerator(seed: seed, stream: 0)
        var ids = Array(0..<V)
        for i in 0..<count { ids.swapAt(i, Int.random(in: i..<V, using: &generator)) }
        return Array(ids.prefix(count))
    }

    /// The first occurrence of each unordered pair, in order (for combining kinds).
    public static func unique(_ pairs: [AuditPair]) -> [AuditPair] {
        var seen = Set<[Int]>()
        return pairs.filter { seen.insert($0.key).inserted }
    }
}
