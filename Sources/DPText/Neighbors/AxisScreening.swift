import COpenBLAS
import CScreening

/// Exact search that reads most words in only their first `m` principal
/// coordinates (`PrincipalAxes`): a cheap lower bound rules them out, and
/// only the few that it cannot are read whole.
///
/// With every vector rotated, y = Qᵀ(x − μ), split into a head (the first m
/// axes) and a tail (the rest), the reverse triangle inequality on the tails gives
///
///     ‖y_z − y_x‖² ≥ ‖h_z − h_x‖² + (‖t_z‖ − ‖t_x‖)²   (the bound B),
///
/// and the head distance is `‖h_z‖² + ‖h_x‖² − 2⟨h_z, h_x⟩`: one float32
/// `sgemm` of depth m for a block of queries against a block of words — a
/// fraction m/D of brute force's. A word whose bound exceeds the selector's
/// current bound (the k-th best score so far plus the margin) cannot be
/// among the k nearest and is skipped; the others get their full score
/// (their tail dot product) and are offered to the `CandidateSelector`, whose
/// exact double-precision re-rank on the original vectors then gives the
/// same answer as brute force. (On GloVe 6B 50d at the Laplace mechanism's
/// ε = 10, the bound at the final nearest distance leaves 24 % of the
/// vocabulary for m = 8, 6.7 % for m = 16, 1.2 % for m = 24, 0.13 % for m = 32.)
///
/// Error margin, per query: scores and bounds are float32 approximations of
/// their exact values for the true vectors, off by at most
///
///     E = 2·(γ_{D+8}·(‖ŷ_z‖ + L)² + η·(‖z − μ‖ + L_μ)²),
///
/// with γ as in `ExactNeighborIndex`, L the largest rotated word norm, L_μ the
/// largest distance of a word from μ and η ≥ ‖QQᵀ − I‖ (`PrincipalAxes.defect`):
/// the float32 arithmetic costs at most γ_{D+8}(‖ŷ_z‖ + L)² as in brute force,
/// rounding the rotated coordinates to float32 at most 5u(‖ŷ_z‖ + L)² more
/// (u = 2⁻²⁴ ≪ γ_{D+8}), and the basis's defect changes a squared distance t by
/// at most η·t ≤ η·(‖z − μ‖ + L_μ)²; the factor 2 is slack. A word is
/// skipped only when its bound exceeds the k-th score plus 2E, so its true
/// distance exceeds that of k scored words: it is not among the k nearest.
struct AxisScreening: Sendable {
    let axes: PrincipalAxes
    /// m, the coordinates screened.
    let depth: Int
    /// Every rotated word's screening row `[h (m values), ‖h‖², 1, ‖t‖², ‖t‖]`,
    /// so that one `sgemm` with the query row `[−2h_z, 1, ‖h_z‖² + ‖t_z‖², 1, −2‖t_z‖]`
    /// gives the bound B itself. Row-major `V × (m + 4)`, float32.
    let screens: [Float]
    /// The rotated words' tails, row-major `V × (D − m)`, float32, and their norms.
    let tails: [Float]
    let tailNorms: [Float]
    /// L and L_μ of the error margin.
    let largestRotatedNorm: Double
    let largestCentredNorm: Double

    var width: Int { depth + 4 }

    init?(store: EmbeddingStore, depth: Int) {
        let n = store.dimension, count = store.count, rest = n - depth, width = depth + 4
        guard depth >= 1, depth < n, let axes = PrincipalAxes(store: store) else { return nil }
        var screens = [Float](repeating: 0, count: count * width), tails = [Float](repeating: 0, count: count * rest)
        var tailNorms = [Float](repeating: 0, count: count)
        var largestRotated = 0.0, largestCentred = 0.0
        axes.forEachRotated(store) { id, y in
            var head = 0.0, tail = 0.0
            for (j, value) in y.enumerated() {
                let rounded = Float(value), widened = Double(rounded)
                if j < depth { screens[id * width + j] = rounded; head += widened * widened }
                else { tails[id * rest + j - depth] = rounded; tail += widened * widened }
            }
            screens[id * width + depth] = Float(head)
            screens[id * width + depth + 1] = 1
            screens[id * width + depth + 2] = Float(tail)
            screens[id * width + depth + 3] = Float(tail.squareRoot())
            tailNorms[id] = Float(tail.squareRoot())
            largestRotated = max(largestRotated, (head + tail).squareRoot())
            largestCentred = max(largestCentred, store.vector(at: id).withUnsafeBufferPointer { x in
                zip(x, axes.mean).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
            }.squareRoot())
        }
        self.axes = axes
        self.depth = depth
        (self.screens, self.tails, self.tailNorms) = (screens, tails, tailNorms)
        largestRotatedNorm = largestRotated * (1 + 1e-6)
        largestCentredNorm = largestCentred * (1 + 1e-6)
    }

    /// Exact search for the query rows `rows` of `queries` (see the type's documentation).
    func search(store: EmbeddingStore, queries: [Double], rows: Range<Int>, k: Int, vocabularyBlock: Int) -> [[Neighbor]] {
        let n = store.dimension, m = depth, rest = n - depth, width = self.width
        var queryScreens = [Float](repeating: 0, count: rows.count * width)
        var queryTails = [Float](repeating: 0, count: rows.count * rest)
        var queryTailNorms = [Float](repeating: 0, count: rows.count)
        var selectors: [CandidateSelector] = []
        selectors.reserveCapacity(rows.count)
        let block = Array(queries[rows.lowerBound * n..<rows.upperBound * n])
        let rotated = block.withUnsafeBufferPointer { axes.rotate($0, count: rows.count) }
        for row in 0..<rows.count {
            var head = 0.0, tail = 0.0, centred = 0.0
            for j in 0..<n {
                let rounded = Float(rotated[row * n + j]), widened = Double(rounded)
                if j < m { queryScreens[row * width + j] = -2 * rounded; head += widened * widened }
                else { queryTails[row * rest + j - m] = rounded; tail += widened * widened }
                centred += (block[row * n + j] - axes.mean[j]) * (block[row * n + j] - axes.mean[j])
            }
            queryScreens[row * width + m] = 1
            queryScreens[row * width + m + 1] = Float(head + tail)
            queryScreens[row * width + m + 2] = 1
            queryScreens[row * width + m + 3] = -2 * Float(tail.squareRoot())
            queryTailNorms[row] = Float(tail.squareRoot())
            let margin = errorBound(rotatedNorm: (head + tail).squareRoot(), centredNorm: centred.squareRoot(), dimension: n)
            selectors.append(CandidateSelector(k: k, margin: 2 * margin))
        }
        var products = [Float](repeating: 0, count: rows.count * vocabularyBlock)
        screens.withUnsafeBufferPointer { screens in
            for start in stride(from: 0, to: store.count, by: vocabularyBlock) {
                let columns = min(vocabularyBlock, store.count - start)
                // products[r][j] = B for query r and word start + j
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows.count), Int32(columns), Int32(width),
                            1, queryScreens, Int32(width), screens.baseAddress! + start * width, Int32(width),
                            0, &products, Int32(columns))
                for row in 0..<rows.count {
                    scan(products[row * columns..<(row + 1) * columns], firstID: start,
                         queryTail: queryTails[row * rest..<(row + 1) * rest], queryTailNorm: queryTailNorms[row],
                         into: &selectors[row])
                }
            }
        }
        return block.withUnsafeBufferPointer { all in
            (0..<rows.count).map { row in
                let z = UnsafeBufferPointer(rebasing: all[row * n..<(row + 1) * n])
                return selectors[row].finish { store.squaredDistance(from: z, to: $0) }
            }
        }
    }

    /// Offers the words of one block that the bound B does not rule out,
    /// scored in full: `B + 2‖t_z‖‖t_x‖ − 2⟨t_z, t_x⟩` is the squared distance.
    /// The threshold scan and the tail products are C kernels (`CScreening`)
    /// that compile to vector instructions.
    @inline(__always)
    private func scan(_ bounds: ArraySlice<Float>, firstID: Int, queryTail: ArraySlice<Float>, queryTailNorm: Float,
                      into selector: inout CandidateSelector) {
        let rest = axes.dimension - depth
        tails.withUnsafeBufferPointer { tails in
        tailNorms.withUnsafeBufferPointer { tailNorms in
        queryTail.withUnsafeBufferPointer { zTail in
        bounds.withUnsafeBufferPointer { bounds in
            var threshold = selector.bound
            var offset = dptext_first_at_most(bounds.baseAddress!, 0, bounds.count, threshold)
            while offset < bounds.count {
                let id = firstID + offset
                let dot = dptext_dot(zTail.baseAddress!, tails.baseAddress! + id * rest, rest)
                let score = bounds[offset] + 2 * (queryTailNorm * tailNorms[id] - dot)
                if score <= threshold {
                    selector.offer(score: score, id: id)
                    threshold = selector.bound
                }
                offset = dptext_first_at_most(bounds.baseAddress!, offset + 1, bounds.count, threshold)
            }
        }}}}
    }
    /// E of the type's documentation, rounded up to float32.
    private func errorBound(rotatedNorm: Double, centredNorm: Double, dimension: Int) -> Float {
        let terms = Double(dimension + 8) * 0x1p-24
        let gamma = terms / (1 - terms)
        let arithmetic = gamma * (rotatedNorm + largestRotatedNorm) * (rotatedNorm + largestRotatedNorm)
        let rotation = axes.defect * (centredNorm + largestCentredNorm) * (centredNorm + largestCentredNorm)
        return Float(2 * (arithmetic + rotation)).nextUp
    }
}
