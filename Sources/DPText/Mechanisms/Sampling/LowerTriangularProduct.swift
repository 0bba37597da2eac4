/// `L·u` for a lower-triangular `L`, row i summed as a plain loop sums it:
/// `((0 + L_i0·u_0) + L_i1·u_1) + … + L_ii·u_i`, each product and sum
/// rounded on its own. Sixteen rows run side by side, two SIMD8 lanes each
/// fed one column at a time; a lane's terms past its diagonal are
/// `0·u_j = ±0`, which leave a nonzero sum unchanged (a sum of exactly −0,
/// which needs every earlier term to be −0, would become +0: the same
/// point, decoded to the same word). In 300 dimensions the plain loop is
/// 45,150 dependent additions per token; this is about a sixteenth of that
/// chain.
struct LowerTriangularProduct: Sendable {
    let size: Int
    /// Rows rounded up to a multiple of 16.
    private let paddedSize: Int
    /// `columns[j·paddedSize + i] = L_ij` for j ≤ i < size, else 0.
    private let columns: [Double]

    init(rowMajor factor: [Double], size n: Int) {
        let padded = (n + 15) / 16 * 16
        var columns = [Double](repeating: 0, count: n * padded)
        for i in 0..<n {
            for j in 0...i { columns[j * padded + i] = factor[i * n + j] }
        }
        (size, paddedSize, self.columns) = (n, padded, columns)
    }

    func apply(to u: [Double]) -> [Double] {
        precondition(u.count == size)
        var result = [Double](repeating: 0, count: paddedSize)
        columns.withUnsafeBufferPointer { columns in
            for first in stride(from: 0, to: size, by: 16) {
                var low = SIMD8<Double>(), high = SIMD8<Double>()
                // Rows first ..< first + 16 have nonzero terms in columns up to their last row only.
                for j in 0..<min(size, first + 16) {
                    let column = columns.baseAddress! + j * paddedSize + first
                    let value = SIMD8<Double>(repeating: u[j])
                    low += SIMD8(UnsafeBufferPointer(start: column, count: 8)) * value
                    high += SIMD8(UnsafeBufferPointer(start: column + 8, count: 8)) * value
                }
                for lane in 0..<8 {
                    result[first + lane] = low[lane]
                    result[first + 8 + lane] = high[lane]
                }
            }
        }
        return Array(result.prefix(size))
    }
}
