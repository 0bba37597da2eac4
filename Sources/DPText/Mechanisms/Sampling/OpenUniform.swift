#if canImport(Glibc)
import Glibc
#endif

extension RandomNumberGenerator {
    /// A uniform draw from the open interval (0, 1): `(k + ½)·2⁻⁵³` for a
    /// uniform 53-bit k, so logarithms of it are always finite
    /// (MECHANISMS.md §8.2).
    @inlinable
    mutating func nextOpenUnit() -> Double {
        (Double(next() >> 11) + 0.5) * 0x1p-53
    }

    /// A standard exponential draw, `−ln U` with U open-uniform.
    @inlinable
    mutating func nextExponential() -> Double {
        -log(nextOpenUnit())
    }
}
