import BigInt

/// Rigorous bounds on `e^{−x}` to any precision, in exact integer arithmetic:
/// what lets a sampler decide `U < e^{−x}·c` exactly where floating point
/// cannot (`ExponentialCoin`'s rare slow path).
///
/// For a finite double x ≥ 0 and a precision P, `bounds(x, precision: P)`
/// returns integers `(low, high)` with
///
///     low ≤ 2^P · e^{−x} ≤ high,
///
/// their gap a few units for x ≤ P·ln 2 (where e^{−x} ≥ 2^{−P}), and
/// `(0, 1)` beyond (where e^{−x} < 2^{−P−2}).
///
/// How. A double is a dyadic rational, so x = n + f exactly, n = ⌊x⌋ and
/// f ∈ [0, 1) a dyadic rational `m/2^E`. For t ∈ [0, 1] the terms `t^k/k!` of
/// `e^{−t} = Σ (−t)^k/k!` decrease, so partial sums that stop after an even
/// term are upper bounds and after an odd term lower bounds (the alternating
/// series bound). Each term is computed at W > P bits as an exact quotient
/// of integers, rounded down or up in the direction that keeps the bound;
/// the series stops once a term is below one unit (`K! > 2^W` suffices).
/// `e^{−n} = (e^{−1})^n` by repeated squaring of both bounds (products of
/// lower bounds rounded down, of upper bounds up: all positive, so the
/// order is kept), then one more product with the bounds of `e^{−f}`, and a
/// final shift to P bits (down for `low`, up for `high`).
public enum ExponentialEnclosure {
    /// `(low, high)` with `low ≤ 2^precision · e^{−x} ≤ high` (see the type's documentation).
    ///
    /// - Precondition: x is finite and ≥ 0; precision ≥ 1.
    public static func bounds(_ x: Double, precision: Int) -> (low: BigUInt, high: BigUInt) {
        precondition(x.isFinite && x >= 0 && precision >= 1)
        let one = BigUInt(1) << precision
        if x == 0 { return (one, one) }
        // e^{−x} < 2^{−P−2} when x > (P + 2)·ln 2; the margin covers rounding of the comparison.
        if x > (Double(precision) + 2) * 0.6931471805599453 + 1e-6 { return (0, 1) }
        let n = Int(x.rounded(.down))
        let f = x - Double(n)  // exact: the fraction of a double below 2^53
        let working = precision + 64 + 2 * (n + 1).bitWidth
        let (fLow, fHigh) = series(f, bits: working)
        var (low, high) = (fLow, fHigh)
        if n > 0 {
            let (eLow, eHigh) = series(1, bits: working)
            let (pLow, pHigh) = power(eLow, eHigh, n, bits: working)
            low = (low * pLow) >> working
            high = ceilShift(high * pHigh, by: working)
        }
        return (low >> (working - precision), ceilShift(high, by: working - precision))
    }

    /// Bounds on `2^bits · e^{−t}` for a double t ∈ [0, 1], by the alternating Taylor series.
    ///
    /// With `A_k = 2^bits · t^k/k!`, the partial sum through an even k is an
    /// upper bound and through an odd k a lower bound; `high` sums with the
    /// upper bound's rounding (added terms up, subtracted terms down), `low`
    /// with the lower bound's. It stops after the first term below one unit.
    static func series(_ t: Double, bits: Int) -> (low: BigUInt, high: BigUInt) {
        let one = BigUInt(1) << bits
        if t == 0 { return (one, one) }
        let (m, e) = dyadic(t)  // t = m / 2^e exactly
        var sumHigh = BigInt(one), sumLow = BigInt(one)
        var upper = one, lower = BigUInt(0)
        var power = BigUInt(1)        // m^k
        var denominator = BigUInt(1)  // k! · 2^{e·k}
        var k = 0
        while true {
            k += 1
            power *= m
            denominator = (denominator * BigUInt(k)) << e
            let (floorTerm, remainder) = (power << bits).quotientAndRemainder(dividingBy: denominator)
            let ceilTerm = remainder.isZero ? floorTerm : floorTerm + 1
            if k % 2 == 1 {
                sumHigh -= BigInt(floorTerm)
                sumLow -= BigInt(ceilTerm)
                lower = sumLow.sign == .minus ? 0 : sumLow.magnitude
            } else {
                sumHigh += BigInt(ceilTerm)
                sumLow += BigInt(floorTerm)
                upper = sumHigh.magnitude
            }
            if ceilTerm <= 1 && k >= 2 { return (lower, upper) }
        }
    }

    /// `(m, e)` with `t = m / 2^e` exactly and e ≥ 0, for a positive finite double t.
    static func dyadic(_ t: Double) -> (BigUInt, Int) {
        // t = significand · 2^exponent with an integer significand below 2^53.
        var significand = t.significandBitPattern, exponent = -1074
        if t.isNormal {
            significand |= 1 << UInt64(Double.significandBitCount)
            exponent = Int(t.exponent) - Double.significandBitCount
        }
        while significand & 1 == 0 && exponent < 0 {
            significand >>= 1
            exponent += 1
        }
        return exponent >= 0 ? (BigUInt(significand) << exponent, 0) : (BigUInt(significand), -exponent)
    }

    /// Bounds on `2^bits · (b/2^bits)^n` from bounds `low ≤ b ≤ high`, by repeated squaring.
    static func power(_ low: BigUInt, _ high: BigUInt, _ n: Int, bits: Int) -> (BigUInt, BigUInt) {
        var resultLow = BigUInt(1) << bits, resultHigh = BigUInt(1) << bits
        var baseLow = low, baseHigh = high
        var remaining = n
        while remaining > 0 {
            if remaining & 1 == 1 {
                resultLow = (resultLow * baseLow) >> bits
                resultHigh = ceilShift(resultHigh * baseHigh, by: bits)
            }
            remaining >>= 1
            if remaining > 0 {
                baseLow = (baseLow * baseLow) >> bits
                baseHigh = ceilShift(baseHigh * baseHigh, by: bits)
            }
        }
        return (resultLow, resultHigh)
    }

    /// `⌈value / 2^shift⌉`.
    static func ceilShift(_ value: BigUInt, by shift: Int) -> BigUInt {
        let floor = value >> shift
        return floor << shift == value ? floor : floor + 1
    }
}
