#if canImport(Glibc)
import Glibc
#endif

extension RandomNumberGenerator {
    /// A uniform draw from the open interval (0, 1): `(k + ½)·2⁻⁵²` for a
    /// uniform 52-bit k, so logarithms of it are always finite
    /// (Mechanisms.md §8.2).
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

    /// A uniform index in `0..<count` (Lemire's multiply-and-reject, exactly
    /// uniform): the high word of `count · x` for a uniform 64-bit x, with
    /// the `2⁶⁴ mod count` low values that would favour some indices rejected.
    /// The standard library's `Int.random(in:using:)` does the same but is
    /// not specialized for a generic generator inside a hot loop.
    ///
    /// - Precondition: `count > 0`.
    @inlinable
    mutating func nextIndex(below count: Int) -> Int {
        let bound = UInt64(count)
        var product = bound.multipliedFullWidth(by: next())
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold { product = bound.multipliedFullWidth(by: next()) }
        }
        return Int(product.high)
    }
}
