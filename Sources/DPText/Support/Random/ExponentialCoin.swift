import BigInt
#if canImport(Glibc)
import Glibc
#endif

/// Exact sampling of weights `e^{−x}`: integer upper bounds for proposals,
/// and coins that accept with exactly the ratio of the true weight to its
/// bound — the two halves of a rejection sampler that is exact for every
/// x, however small `e^{−x}` (no underflow, no 2⁻⁵³ granularity).
///
/// **Scale.** Weights are integers at scale `2^s`: `weight(x)` is an integer
/// `Q ≥ 2^s·e^{−x}` (and `Q ≥ 2`). A proposal that picks item i with
/// probability `Q_i/ΣQ` (an exact integer draw) and accepts it with
/// probability `a_i = 2^s·e^{−x_i}/Q_i ≤ 1` draws i with probability
/// proportional to `e^{−x_i}` exactly.
///
/// **Bound.** Let f be the libm `exp(−x)`; glibc's is within 1 ulp, and we
/// assume only 4 ulp (relative error 2⁻⁵⁰) or, for subnormal results, an
/// absolute error of 2⁻¹⁰⁷⁴. Then `g = fl(2^s·f·(1 + 2⁻⁴⁸))` is at least
/// `2^s·e^{−x}·(1 − 2⁻⁵⁰)(1 + 2⁻⁴⁸)(1 − 2⁻⁵³) − 2^{s−1074} ≥ 2^s·e^{−x} − 1`,
/// so `Q = ⌊g⌋ + 2 ≥ 2^s·e^{−x}`.
///
/// **Coin.** `flip` decides `U < a` for a uniform U in [0, 1) whose first 64
/// bits are one draw R. In floating point, `ã = 2^s·f/Q` is within a
/// relative `2⁻⁴⁹` of a (plus `2⁻¹⁰⁰⁰` absolute); with `lo`, `hi` that bound
/// widened to `2⁻⁴⁷`, `R < ⌊2⁶⁴·lo⌋` proves `U < a` and `R ≥ ⌈2⁶⁴·hi⌉`
/// proves `U ≥ a`. Otherwise — about once in 2⁴⁶ flips — more bits of U are
/// drawn and compared with exact bounds on `e^{−x}` (`ExponentialEnclosure`)
/// until the comparison is decided. Every answer is therefore the exact
/// event `U < a`.
enum ExponentialCoin {
    /// The largest scale for `slots` items whose weights must sum below 2⁶³:
    /// each weight is below 2^{s+1}, so `s = 61 − bitWidth(slots)`.
    static func scale(forSlots slots: Int) -> Int {
        precondition(slots >= 1 && slots < 1 << 58, "too many items for 64-bit weights")
        return 61 - (Int.bitWidth - slots.leadingZeroBitCount)
    }

    /// `Q ≥ 2^s·e^{−x}`, an integer (see the type's documentation); 0 for x = +∞.
    @inline(__always)
    static func weight(_ x: Double, scale s: Int) -> UInt64 {
        guard x.isFinite else { return 0 }
        return UInt64(scalbn(exp(-x), Int32(s)) * (1 + 0x1p-48)) + 2
    }

    /// True with probability exactly `2^s·e^{−x}/q`.
    ///
    /// - Precondition: `q == weight(x, scale: s)` or any larger integer.
    @inline(__always)
    static func flip<G: RandomNumberGenerator>(_ x: Double, weight q: UInt64, scale s: Int, using generator: inout G) -> Bool {
        guard x.isFinite else { return false }
        let r = generator.next()
        return fastDecision(x, weight: q, scale: s, firstBits: r)
            ?? decideExactly(x, weight: q, scale: s, firstBits: r, using: &generator)
    }

    /// The decision of `U < 2^s·e^{−x}/q` from U's first 64 bits `r` in
    /// floating point, or nil when r falls in the narrow band where rounding
    /// could change it (see the type's documentation).
    @inline(__always)
    static func fastDecision(_ x: Double, weight q: UInt64, scale s: Int, firstBits r: UInt64) -> Bool? {
        let estimate = scalbn(exp(-x), Int32(s)) / Double(q)
        let low = estimate * (1 - 0x1p-47) - 0x1p-1000
        if low > 0 && r < UInt64(scalbn(low, 64).rounded(.down)) { return true }
        let high = scalbn(estimate * (1 + 0x1p-47) + 0x1p-1000, 64).rounded(.up)
        if high < 0x1p64 && r >= UInt64(high) { return false }
        return nil
    }

    /// The exact decision of `U < 2^s·e^{−x}/q` for a uniform U whose first
    /// 64 bits are `firstBits`, drawing further bits of U from `generator`
    /// as needed (the slow path of `flip`; tests call it directly).
    static func decideExactly<G: RandomNumberGenerator>(
        _ x: Double, weight q: UInt64, scale s: Int, firstBits: UInt64, using generator: inout G
    ) -> Bool {
        var bits = BigUInt(firstBits)  // U ∈ [bits/2^known, (bits + 1)/2^known)
        var known = 64
        let weight = BigUInt(q)
        while true {
            let precision = known + 64
            let (low, high) = ExponentialEnclosure.bounds(x, precision: precision)
            // a ∈ [low·2^s/(q·2^P), high·2^s/(q·2^P)]; compare with U's interval, all scaled by q·2^{P+known}.
            let unitScaled = weight << precision
            if (bits + 1) * unitScaled <= low << (s + known) { return true }
            if bits * unitScaled >= high << (s + known) { return false }
            bits = (bits << 64) + BigUInt(generator.next())
            known += 64
        }
    }
}

/// A draw of index i with probability exactly proportional to `e^{−x_i}`
/// among a few items (CusText's group): propose i with probability
/// `Q_i/ΣQ` (one exact integer draw; `Q_i = ExponentialCoin.weight(x_i)`),
/// accept with `ExponentialCoin.flip`, repeat until accepted. With the
/// smallest exponent 0, each try is accepted with probability above ½.
enum ExponentialChoice {
    /// The running sums of the items' integer weights at `scale`.
    static func cumulativeWeights(_ exponents: some Sequence<Double>, scale: Int) -> [UInt64] {
        var running: UInt64 = 0
        return exponents.map { running += ExponentialCoin.weight($0, scale: scale); return running }
    }

    /// An index of `exponents` drawn exactly with probability ∝ `e^{−x_i}`.
    ///
    /// - Parameter cumulative: `cumulativeWeights(exponents, scale: scale)`.
    static func draw<G: RandomNumberGenerator>(
        exponents: some RandomAccessCollection<Double>, cumulative: some RandomAccessCollection<UInt64>, scale: Int,
        using generator: inout G
    ) -> Int {
        precondition(exponents.count == cumulative.count && !exponents.isEmpty)
        let total = cumulative[cumulative.index(before: cumulative.endIndex)]
        while true {
            let u = UInt64(generator.nextIndex(below: Int(total)))
            let offset = cumulative.partitioningIndex(where: { $0 > u })
            let index = cumulative.distance(from: cumulative.startIndex, to: offset)
            let weight = cumulative[offset] - (index == 0 ? 0 : cumulative[cumulative.index(before: offset)])
            if ExponentialCoin.flip(exponents[exponents.index(exponents.startIndex, offsetBy: index)], weight: weight,
                                    scale: scale, using: &generator) {
                return index
            }
        }
    }
}

extension RandomAccessCollection {
    /// The first index whose element satisfies `belongs`, for a predicate
    /// false on a prefix and true on the rest (bisection).
    func partitioningIndex(where belongs: (Element) -> Bool) -> Index {
        var low = startIndex, count = self.count
        while count > 0 {
            let half = count / 2
            let middle = index(low, offsetBy: half)
            if belongs(self[middle]) {
                count = half
            } else {
                low = index(after: middle)
                count -= half + 1
            }
        }
        return low
    }
}
