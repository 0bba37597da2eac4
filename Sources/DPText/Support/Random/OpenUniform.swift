#if canImport(Glibc)
import Glibc
#endif

extension RandomNumberGenerator {
    /// A uniform draw from the open interval (0, 1): `(k + ½)·2⁻⁵²` for a
    /// uniform 52-bit k, so logarithms of it are always finite
    /// (MECHANISMS.md §8.2).
    ///
    /// 52 bits, not 53: `k + ½` then needs at most 53 significant bits and
    /// is exact, and the largest value is `1 − 2⁻⁵³` — with 53 bits the top
    /// k would round up to exactly 1.
    @inlinable
    mutating func nextOpenUnit() -> Double {
        (Double(next() >> 12) + 0.5) * 0x1p-52
    }

    /// A standard exponential draw, `−ln U` with U open-uniform.
    @inlinable
    mutating func nextExponential() -> Double {
        -log(nextOpenUnit())
    }
}
