#if canImport(Glibc)
import Glibc
#endif

extension RandomNumberGenerator {
    /// `count` independent standard normal draws (Box–Muller: each pair
    /// costs two open uniforms, a logarithm and a sine/cosine).
    mutating func nextStandardNormals(_ count: Int) -> [Double] {
        var values = [Double]()
        values.reserveCapacity(count + 1)
        while values.count < count {
            let radius = (-2 * log(nextOpenUnit())).squareRoot()
            let angle = 2 * Double.pi * nextOpenUnit()
            values.append(radius * cos(angle))
            values.append(radius * sin(angle))
        }
        values.removeLast(values.count - count)
        return values
    }
}
