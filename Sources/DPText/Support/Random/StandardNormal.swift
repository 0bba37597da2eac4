#if canImport(Glibc)
import Glibc
#endif

extension RandomNumberGenerator {
    /// `count` independent standard normal draws (Box–Muller: each pair
    /// costs two open uniforms, a logarithm and a sine/cosine).
    mutating func nextStandardNormals(_ count: Int) -> [Double] {
        var values = [Double](repeating: 0, count: count)
        values.withUnsafeMutableBufferPointer { fillStandardNormals($0) }
        return values
    }

    /// Fills `values` with the draws `nextStandardNormals(values.count)`
    /// would return (the same uniforms, in the same order), without allocating.
    mutating func fillStandardNormals(_ values: UnsafeMutableBufferPointer<Double>) {
        var index = 0
        while index < values.count {
            let radius = (-2 * log(nextOpenUnit())).squareRoot()
            let angle = 2 * Double.pi * nextOpenUnit()
            values[index] = radius * cos(angle)
            if index + 1 < values.count { values[index + 1] = radius * sin(angle) }
            index += 2
        }
    }
}
