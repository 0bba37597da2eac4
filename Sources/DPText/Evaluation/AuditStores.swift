/// Small synthetic stores for auditing mechanisms (Mechanisms.md §9 T13).
public enum AuditStores {
    /// A store built so that truncated Gumbel's red flag (§4.4) is
    /// detectable with a feasible number of draws, and the pair and output
    /// that show it.
    public struct Adversarial: Sendable {
        public let store: EmbeddingStore
        /// (x, x′) with d(x, x′) = Δ_min = 1.
        public let pair: AuditPair
        /// y: rank 2 for x, rank V (the farthest word) for x′.
        public let target: Int
        /// `TruncatedGumbelMechanism.minimumEpsilon` for this store.
        public let minimumEpsilon: Double
        /// 1.01 × the minimum: just valid, where the claimed bound ε·d(x, x′) is smallest.
        public var suggestedEpsilon: Double { minimumEpsilon * 1.01 }
    }

    /// The adversarial store in `dimension` ≥ 2 dimensions, V = 2·dimension + 1 words:
    ///
    ///     x = 0,  y = −e₁,  x′ = e₁,  and the shell  x′ ± r·eᵢ (i = 2 … dimension), r = 1.75.
    ///
    /// All coordinates are exact in float32. Distances: d(x, y) = d(x, x′) =
    /// 1 = Δ_min (y precedes x′ among x's neighbours by its lower id, so y has
    /// rank 2 for x); the shell is at r = 1.75 < d(x′, y) = 2 from x′ and at
    /// √(1 + r²) ≈ 2.02 > 1 from x, shell points are ≥ r√2 ≈ 2.47 apart, and
    /// Δ_max = 2r = 3.5. So y is the farthest word from x′ (rank V).
    ///
    /// Why this detects the flag. Truncated Gumbel draws K ≤ V − 1 candidates
    /// around the input, so `P[M(x′) = y] = 0` exactly, while `P[M(x) = y]`
    /// = p is large (measured: 0.129 for V = 5, 0.223 for V = 33; y wins
    /// when K ≥ 2 and its noise beats the other candidates', the noise being
    /// nearly uniform on [−Δ_max, Δ_max]). The validity bound forces
    /// ε > ε_min = (2(1 + ln V) + 3)/Δ_min, so the claimed bound is
    /// ε·d(x, x′) > 2(1 + ln V) + 3: 8.22 for V = 5, 11.99 for V = 33. With n
    /// test draws per side and no y from x′, Clopper–Pearson certifies at most
    /// `ln(p_L/p_U) ≈ ln(p·n / ln(2/α′))`, so a violation needs
    /// `n ≳ e^{ε·d}·ln(2/α′)/p` held-out draws per side: at ε = 1.01·ε_min and
    /// α′ = 10⁻⁵, about 4·10⁵ for V = 5 (m = 10⁶ draws per side certifies
    /// 8.57 > 8.30 in 0.5 s, release, two cores) and 10⁷ for V = 33 (use
    /// m = 4·10⁷, about 25 s). Small V therefore wins; ε just above ε_min
    /// makes both ε·d smallest and b = 2Δ_max/ln(aΔ_min) huge, so the
    /// truncated noise is nearly uniform, which favours y.
    ///
    /// - Precondition: dimension ≥ 2.
    public static func adversarial(dimension: Int = 2) -> Adversarial {
        precondition(dimension >= 2, "AuditStores.adversarial: dimension must be at least 2")
        let radius: Float = 1.75
        var rows: [(String, [Float])] = []
        func unit(_ axis: Int, _ scale: Float) -> [Float] {
            var v = [Float](repeating: 0, count: dimension)
            v[axis] = scale
            return v
        }
        rows.append(("x", [Float](repeating: 0, count: dimension)))
        rows.append(("y", unit(0, -1)))
        rows.append(("x'", unit(0, 1)))
        for axis in 1..<dimension {
            for (sign, label) in [(Float(1), "+"), (-1, "-")] {
                var v = unit(axis, sign * radius)
                v[0] = 1
                rows.append(("s\(axis + 1)\(label)", v))
            }
        }
        let store = try! EmbeddingStore(
            words: rows.map(\.0), vectors: rows.flatMap(\.1), dimension: dimension,
            metadata: .init(name: "audit-adversarial-\(dimension)d"))
        return Adversarial(
            store: store, pair: AuditPair(first: 0, second: 2, store: store, kind: .given,
                                          target: 1, targetRanks: [2, store.count]),
            target: 1,
            minimumEpsilon: TruncatedGumbelMechanism.minimumEpsilon(wordCount: store.count, minimumDistance: 1))
    }

    /// A one-dimensional store with words "p0", "p1", … at `positions`
    /// (T3's toy is `line([0, 1, 3, 7])`).
    ///
    /// - Precondition: at least one position, all distinct and finite.
    public static func line(_ positions: [Double]) -> EmbeddingStore {
        precondition(Set(positions).count == positions.count, "AuditStores.line: positions must be distinct")
        return try! EmbeddingStore(words: positions.indices.map { "p\($0)" }, vectors: positions.map(Float.init),
                                   dimension: 1, metadata: .init(name: "audit-line"))
    }
}
