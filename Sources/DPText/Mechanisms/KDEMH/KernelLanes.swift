/// Row vectors (kernel centres, or their axes) laid out eight rows side by
/// side, so that a sum over one row's coordinates runs in a SIMD lane:
/// `values[(b·n + k)·8 + l]` is coordinate k of row 8b + l (the last block
/// padded with copies of the last row, whose lanes callers ignore).
///
/// Why: the chain evaluates, at every move, a sum over the n coordinates of
/// each of its 100 centres. Summed row by row that is a chain of dependent
/// additions — 300 of them per centre in 300d, waiting on the adder's
/// latency. Eight rows in eight lanes run eight such chains at once, each
/// still adding its own row's terms in coordinate order, so every sum is
/// bit for bit the row-by-row one.
struct KernelLanes: Sendable {
    let count: Int
    let dimension: Int
    private let values: [Double]

    init(rows: [Double], dimension n: Int) {
        let count = n > 0 ? rows.count / n : 0
        let blocks = (count + 7) / 8
        var values = [Double](repeating: 0, count: blocks * n * 8)
        for b in 0..<blocks {
            for lane in 0..<8 {
                let row = min(8 * b + lane, count - 1)
                for k in 0..<n { values[(b * n + k) * 8 + lane] = rows[row * n + k] }
            }
        }
        (self.count, dimension, self.values) = (count, n, values)
    }

    var blocks: Int { (count + 7) / 8 }

    /// Coordinate k of the eight rows of block b.
    @inline(__always)
    func coordinate(_ k: Int, ofBlock b: Int, in values: UnsafeBufferPointer<Double>) -> SIMD8<Double> {
        SIMD8(UnsafeBufferPointer(rebasing: values[(b * dimension + k) * 8..<(b * dimension + k + 1) * 8]))
    }

    func withValues<R>(_ body: (UnsafeBufferPointer<Double>) -> R) -> R { values.withUnsafeBufferPointer(body) }

    /// `Σ_k (y_k − row_k)²` for every row, summed in coordinate order
    /// (`d = y_k − row_k`, then `d·d`, then the sum), into `out[0..<count]`.
    func squaredDistances(from y: UnsafeBufferPointer<Double>, into out: UnsafeMutableBufferPointer<Double>) {
        withValues { values in
            for b in 0..<blocks {
                var sum = SIMD8<Double>()
                for k in 0..<dimension {
                    let d = SIMD8(repeating: y[k]) - coordinate(k, ofBlock: b, in: values)
                    sum += d * d
                }
                for lane in 0..<min(8, count - 8 * b) { out[8 * b + lane] = sum[lane] }
            }
        }
    }

    /// For every row: `Σ_k d_k²` and `Σ_k d_k·a_k`, `d_k = y_k − row_k` and
    /// `a` the same row of `axes`, each summed in coordinate order.
    func squaredDistancesAndProjections(
        from y: UnsafeBufferPointer<Double>, along axes: KernelLanes,
        squared: UnsafeMutableBufferPointer<Double>, projections: UnsafeMutableBufferPointer<Double>
    ) {
        precondition(axes.count == count && axes.dimension == dimension)
        withValues { values in
            axes.withValues { directions in
                for b in 0..<blocks {
                    var sum = SIMD8<Double>(), along = SIMD8<Double>()
                    for k in 0..<dimension {
                        let d = SIMD8(repeating: y[k]) - coordinate(k, ofBlock: b, in: values)
                        sum += d * d
                        along += d * axes.coordinate(k, ofBlock: b, in: directions)
                    }
                    for lane in 0..<min(8, count - 8 * b) {
                        squared[8 * b + lane] = sum[lane]
                        projections[8 * b + lane] = along[lane]
                    }
                }
            }
        }
    }
}
