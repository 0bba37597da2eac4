import CScreening

/// Exact search that reads every word only as 8-bit codes of its first `m`
/// principal coordinates: a cheap, proven lower bound rules almost all words
/// out, and the few it cannot are scored exactly.
///
/// **The bound.** Rotate every vector, y = Qᵀ(x − μ) (`PrincipalAxes`), and
/// split it into a head h (the first m axes) and a tail t. The reverse
/// triangle inequality on the tails gives, with W = [h, ‖t‖] (m + 1 values),
///
///     ‖y_z − y_u‖² ≥ ‖h_z − h_u‖² + (‖t_z‖ − ‖t_u‖)² = ‖y_z‖² + ‖y_u‖² − 2⟨W_z, W_u⟩.
///
/// (With m = D the tail is empty, W = y, and the bound is the distance itself
/// up to quantization: in 300 dimensions no shorter head bounds a noisy
/// point's distances usefully, so the screen reads every coordinate.)
///
/// **Quantization.** W is stored as s·q, q an integer vector in −L…L and
/// s = max|W_i| / L (L_w for words, L_q for queries, whose codes the
/// kernels read unsigned as q + L_q + 1; see `CodeLevels`), with residual
/// E = W − s·q. Then
///
///     ⟨W_z, W_u⟩ ≤ s_z·s_u·J + ‖Ŵ_z‖·‖E_u‖ + ‖E_z‖·‖W_u‖,   Ŵ = s·q,
///
/// J the integer dot product of the two code rows (exact in 32-bit
/// arithmetic: `vpdpbusd`, or AVX2 `vpmaddubsw`, whose 16-bit sums the
/// levels keep below 2¹⁵), so
///
///     ‖y_z − y_u‖² ≥ ‖y_z‖² + ‖y_u‖² − 2·s_z·s_u·J − 2‖Ŵ_z‖·‖E_u‖ − 2‖E_z‖·‖W_u‖   (the bound B),
///
/// the three norms rounded up where they are stored (float32), which can only
/// lower B.
///
/// **Exactness.** A word whose B exceeds the k-th best exact distance found
/// so far, plus a margin, cannot be among the k nearest and is skipped; every
/// other word gets its exact double-precision distance
/// (`EmbeddingStore.squaredDistance`, the one brute force uses, eight words
/// at a time by `squaredDistances`, equal to the last bit), so the result
/// is brute force's: same ids, same order, ties by lower id. The margin covers
/// (×2) the float32 evaluation of B in at most eight rounded steps
/// (`γ₈·(max‖y_u‖² + 2·R_z·max R_u + 2‖Ŵ_z‖·max‖E_u‖ + 2‖E_z‖·max‖W_u‖)` with
/// R = s·‖code row‖, which bounds |s_z s_u J| by Cauchy–Schwarz; J itself
/// converts exactly, |J| ≤ 1,024·127·127 < 2²⁴), the basis's
/// defect η ≥ ‖QQᵀ − I‖ (a squared distance t moves by at most η·t ≤
/// η(‖z − μ‖ + L_μ)²), and the double-precision rounding of the rotation and
/// of the exact distances (`8D·2⁻⁵³` of the squared norms involved).
///
/// On GloVe 6B 50d at the Laplace mechanism's ε = 10, m = 43 leaves a few dozen
/// of 400,000 words per noisy point to be scored exactly; on
/// GloVe 840B 300d at ε = 12, m = 300 leaves about 5 of 33,860.
struct AxisScreening: Sendable {
    let axes: PrincipalAxes
    /// m, the coordinates screened.
    let depth: Int
    /// Whether to use the processor's vector instructions (tests turn it off).
    let vectorized: Bool
    /// Codes per word: the m + 1 values of W (m when m = D), rounded up to a multiple of 4.
    let width: Int
    /// The code ranges of words and queries.
    let levels: CodeLevels
    /// The words by their first principal coordinate y₁ (ties by id): the
    /// arrays below are in this order, and a position's word id is `order[position]`.
    private let order: [UInt32]
    /// y₁ of the word at each position, ascending (double, as rotated).
    private let leading: [Double]
    /// `count × width` word codes, row-major.
    private let codes: [Int8]
    /// o · (sum of each word's codes): undoes the query codes' + o.
    private let offsets: [Int32]
    /// ‖y_u‖², 2·s_u, 2‖E_u‖ and 2‖W_u‖, float32 (the last two rounded up).
    private let squaredNorms: [Float]
    private let doubledScales: [Float]
    private let doubledResiduals: [Float]
    private let doubledNorms: [Float]
    /// Bounds for the margin: max ‖y_u‖², max R_u, max 2‖E_u‖, max 2‖W_u‖,
    /// L (largest ‖x‖), L_μ (largest ‖x − μ‖).
    private let largestSquaredNorm: Double
    private let largestCodeNorm: Double
    private let largestDoubledResidual: Double
    private let largestDoubledNorm: Double
    private let largestNorm: Double
    private let largestCentredNorm: Double

    /// Words screened per call of the kernel once the first chunks have set
    /// the thresholds (the chunks before it double from `firstChunk`).
    static let chunk = 16_384
    /// The first chunk, screened against no threshold (all its words are
    /// scored exactly): small, for in 300d an exact distance (a 300-float
    /// row fetched from memory) costs about as much as screening a hundred
    /// words.
    static let firstChunk = 8

    init?(store: EmbeddingStore, depth: Int, vectorized: Bool = true, levels: CodeLevels? = nil) {
        let n = store.dimension, count = store.count
        let width = Self.width(depth: depth, dimension: n)
        let levels = levels ?? CodeLevels(width: width)
        guard depth >= 1, depth <= n, width <= Int(DPTEXT_SCREEN_MAX_WIDTH), levels.groupsPerSum >= 1,
              let axes = PrincipalAxes(store: store) else {
            return nil
        }
        var codes = [Int8](repeating: 0, count: count * width), offsets = [Int32](repeating: 0, count: count)
        var squaredNorms = [Float](repeating: 0, count: count), doubledScales = [Float](repeating: 0, count: count)
        var doubledResiduals = [Float](repeating: 0, count: count), doubledNorms = [Float](repeating: 0, count: count)
        var largestSquared = 0.0, largestCode = 0.0, largestNorm = 0.0, largestCentred = 0.0
        var leading = [Double](repeating: 0, count: count)
        axes.forEachRotated(store) { id, y in
            leading[id] = y[y.startIndex]
            let code = Quantized(rotated: y, depth: depth, width: width, levels: levels.word)
            for (j, value) in code.codes.enumerated() { codes[id * width + j] = Int8(value) }
            offsets[id] = Int32(levels.queryOffset * code.codes.reduce(0, +))
            let squared = y.reduce(0) { $0 + $1 * $1 }
            squaredNorms[id] = Float(squared)
            doubledScales[id] = 2 * code.scale
            doubledResiduals[id] = Float(2 * code.residualNorm).nextUp
            doubledNorms[id] = Float(2 * code.norm).nextUp
            largestSquared = max(largestSquared, squared)
            largestCode = max(largestCode, code.codeNorm)
            let x = store.vector(at: id)
            largestNorm = max(largestNorm, x.reduce(0) { $0 + $1 * $1 }.squareRoot())
            largestCentred = max(largestCentred, axes.centredNorm(x))
        }
        (self.axes, self.depth, self.vectorized, self.width, self.levels) = (axes, depth, vectorized, width, levels)
        let order = (0..<count).sorted { (leading[$0], $0) < (leading[$1], $1) }
        self.order = order.map { UInt32($0) }
        self.leading = order.map { leading[$0] }
        var sortedCodes = [Int8](repeating: 0, count: count * width)
        for (position, id) in order.enumerated() {
            sortedCodes[position * width..<(position + 1) * width] = codes[id * width..<(id + 1) * width]
        }
        self.codes = sortedCodes
        (self.offsets, self.squaredNorms) = (order.map { offsets[$0] }, order.map { squaredNorms[$0] })
        (self.doubledScales, self.doubledResiduals) = (order.map { doubledScales[$0] }, order.map { doubledResiduals[$0] })
        self.doubledNorms = order.map { doubledNorms[$0] }
        largestSquaredNorm = largestSquared * (1 + 1e-6)
        largestCodeNorm = largestCode * (1 + 1e-6)
        largestDoubledResidual = Double(doubledResiduals.max() ?? 0)
        largestDoubledNorm = Double(doubledNorms.max() ?? 0)
        self.largestNorm = largestNorm * (1 + 1e-6)
        largestCentredNorm = largestCentred * (1 + 1e-6)
    }

    /// Codes per word at depth m in D dimensions: W's m + 1 values (m when
    /// the tail is empty), rounded up to whole groups of four.
    static func width(depth: Int, dimension: Int) -> Int {
        (depth + (depth < dimension ? 1 : 0) + 3) / 4 * 4
    }

    /// Exact search for the query rows `rows` of `queries`, each among its
    /// ball's words (`balls[row]`, nil: all words; see the type's documentation).
    func search(store: EmbeddingStore, queries: [Double], balls: [NeighborBall?], rows: Range<Int>, k: Int) -> [[Neighbor]] {
        var screened = 0
        return search(store: store, queries: queries, balls: balls, rows: rows, k: k, budget: .max, screenedWords: &screened)!
    }

    /// `search`, giving up (nil) as soon as the survivors of the bound need
    /// more than `budget` exact distances in all — the screen is then not
    /// pruning, and brute force is cheaper; `screenedWords` says how many
    /// words it had screened by then, per group of queries (the vocabulary's
    /// size would mean all of them).
    ///
    /// **The window.** The queries go in groups of 16 lanes, sorted by their
    /// first principal coordinate y₁, and each group screens only a window of
    /// the words (sorted by y₁ too): it starts at the group's middle and
    /// grows by chunks, alternately right and left, while a side can still
    /// hold a word within reach. Since (y₁_z − y₁_u)² ≤ ‖y_z − y_u‖², a word
    /// with y₁_u > max y₁_z + r, r = √(T + margin) for the largest T + margin
    /// of the group's lanes (T the lane's k-th exact distance so far, which
    /// only falls), is beyond every lane's k-th neighbour, and so on the left;
    /// the query's margin covers the rotation's defect and rounding here as in
    /// the bound B. On GloVe 6B 50d (400k words) a group's window reads about
    /// 92 % of the words at ε = 10 (a single query's would hold 55–67 %: the
    /// window must hold every lane's reach) and 30 % at ε = 20.
    ///
    /// **Balls.** A query with a ball starts from its member's exact
    /// distance, and of its survivors only the ball's other words may enter
    /// its selector, so T is always the k-th distance among the ball's words
    /// seen: a word the bound or the window rules out is beyond it.
    func search(store: EmbeddingStore, queries: [Double], balls: [NeighborBall?], rows: Range<Int>, k: Int,
                budget: Int, screenedWords: inout Int) -> [[Neighbor]]? {
        let n = store.dimension
        var distances = 0, scanned = 0
        let block = Array(queries[rows.lowerBound * n..<rows.upperBound * n])
        let rotated = block.withUnsafeBufferPointer { axes.rotate($0, count: rows.count) }
        let prepared = (0..<rows.count).map { row in
            PreparedQuery(rotated: rotated[row * n..<(row + 1) * n], original: block[row * n..<(row + 1) * n], in: self)
        }
        var selectors = [ExactSelector](repeating: ExactSelector(k: k), count: rows.count)
        for (row, ball) in zip(0..<rows.count, balls[rows]) {
            guard let ball else { continue }
            let distance = block[row * n..<(row + 1) * n].withUnsafeBufferPointer { store.squaredDistance(from: $0, to: ball.member) }
            selectors[row].offer(squaredDistance: distance, id: ball.member)
        }
        var survivors = [UInt32](repeating: 0, count: 16 * Self.chunk)
        var counts = [Int](repeating: 0, count: 16)
        let byLeading = (0..<rows.count).sorted { (prepared[$0].leading, $0) < (prepared[$1].leading, $1) }
        let groups = stride(from: 0, to: rows.count, by: 16).map { Array(byLeading[$0..<min(rows.count, $0 + 16)]) }
        let finished = block.withUnsafeBufferPointer { all in
        withWords { words in
            for laneRows in groups {
                let lanes = ArraySlice(laneRows.map { prepared[$0] })
                var group = pack(lanes)
                let low = lanes.first!.leading, high = lanes.last!.leading
                var left = firstPosition { $0 >= (low + high) / 2 }, right = left
                var size = Self.firstChunk, rightward = true
                while true {
                    // The window every lane still needs, from the lanes' current k-th distances.
                    let reachable = window(for: lanes, thresholds: laneRows.map { selectors[$0].bound })
                    let (windowStart, windowEnd) = (reachable.lowerBound, reachable.upperBound)
                    let growRight = right < windowEnd, growLeft = left > windowStart
                    guard growRight || growLeft else { break }
                    let range: Range<Int>
                    if growRight && (rightward || !growLeft) {
                        range = right..<min(windowEnd, right + size)
                        right = range.upperBound
                    } else {
                        range = max(windowStart, left - size)..<left
                        left = range.lowerBound
                    }
                    rightward.toggle()
                    if rightward { size = min(2 * size, Self.chunk) }
                    setThresholds(&group, for: lanes, to: laneRows.map { selectors[$0].bound })
                    screen(words, range, &group, survivors: &survivors, capacity: Self.chunk, counts: &counts)
                    scanned += range.count
                    distances += counts[0..<lanes.count].reduce(0, +)
                    if distances > budget {
                        screenedWords = scanned / groups.count
                        return false
                    }
                    for lane in 0..<lanes.count {
                        for i in lane * Self.chunk..<lane * Self.chunk + counts[lane] { survivors[i] = order[Int(survivors[i])] }
                    }
                    prefetchRows(of: survivors, counts: counts[0..<lanes.count], in: store)
                    for (lane, row) in laneRows.enumerated() {
                        let z = UnsafeBufferPointer(rebasing: all[row * n..<(row + 1) * n])
                        let ball = balls[rows.lowerBound + row]
                        let found = survivors[lane * Self.chunk..<lane * Self.chunk + counts[lane]]
                        // Eight exact distances at a time: their rows' cache misses overlap.
                        for first in stride(from: found.startIndex, to: found.endIndex, by: 8) {
                            let batch = found[first..<min(found.endIndex, first + 8)]
                            var ids = SIMD8<Int32>(repeating: Int32(batch.first!))
                            for (slot, id) in batch.enumerated() { ids[slot] = Int32(id) }
                            let distances = store.squaredDistances(from: z, to: ids)
                            // A ball's membership, for the eight words at once, when the first would enter.
                            var fromCenter: SIMD8<Double>?
                            for slot in 0..<batch.count {
                                let id = Int(ids[slot])
                                guard selectors[row].admits(squaredDistance: distances[slot], id: id) else { continue }
                                if let ball {
                                    if fromCenter == nil { fromCenter = ball.squaredDistances(to: ids, in: store) }
                                    guard ball.admits(id, squaredDistanceFromCenter: fromCenter![slot]) else { continue }
                                }
                                selectors[row].offer(squaredDistance: distances[slot], id: id)
                            }
                        }
                    }
                }
            }
            return true
        }}
        screenedWords = finished ? store.count : screenedWords
        return finished ? selectors.map(\.neighbors) : nil
    }

    /// The first position whose y₁ satisfies `isPast` (`count` if none), for
    /// a predicate that is false and then true along the ascending y₁.
    /// The positions of the words a group of lanes (sorted by y₁) can reach:
    /// those with y₁ within r = √(T + margin) of the lanes' (the largest
    /// over the lanes, T a lane's threshold; see `search`), slightly widened
    /// for the rounding of r; every word when some T is infinite.
    private func window(for lanes: ArraySlice<PreparedQuery>, thresholds: [Double]) -> Range<Int> {
        let reach = zip(thresholds, lanes).map { $0 + $1.margin }.max()!.squareRoot() * (1 + 0x1p-40)
        guard reach.isFinite else { return 0..<leading.count }
        let low = lanes.first!.leading - reach, high = lanes.last!.leading + reach
        return firstPosition { $0 >= low }..<firstPosition { $0 > high }
    }

    private func firstPosition(where isPast: (Double) -> Bool) -> Int {
        var (low, high) = (0, leading.count)
        while low < high {
            let middle = (low + high) / 2
            if isPast(leading[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }

    /// Starts loading the vectors of every lane's survivors (all lanes' before
    /// any is scored), so that their cache misses overlap.
    private func prefetchRows(of survivors: [UInt32], counts: ArraySlice<Int>, in store: EmbeddingStore) {
        store.vectors.withUnsafeBufferPointer { matrix in
            survivors.withUnsafeBufferPointer { survivors in
                for (lane, count) in counts.enumerated() where count > 0 {
                    dptext_prefetch_rows(matrix.baseAddress!, store.dimension, survivors.baseAddress! + lane * Self.chunk, count)
                }
            }
        }
    }

    /// The words whose bound passes `threshold` (a squared distance) for
    /// `query`, with the search's margin: what `search` keeps once its k-th
    /// exact distance is `threshold`. Every word truly within `threshold` is
    /// among them (tests check it).
    func passing(query: [Double], threshold: Double) -> [Int] {
        passing(queries: [query], thresholds: [threshold])[0]
    }

    /// `passing(query:threshold:)` for many queries: sixteen per pass over
    /// the codes (a kernel lane each, at the cost of one), grouped by their
    /// first principal coordinate y₁, and each pass reads only the window of
    /// words whose y₁ lies within r = √(T + margin) of a lane's (the largest
    /// over the group's lanes; see `search`): a word outside it is beyond
    /// every lane's threshold.
    func passing(queries: [[Double]], thresholds: [Double]) -> [[Int]] {
        precondition(queries.count == thresholds.count, "one threshold per query")
        guard !queries.isEmpty else { return [] }
        let n = queries[0].count, count = leading.count
        let rotated = queries.flatMap { $0 }.withUnsafeBufferPointer { axes.rotate($0, count: queries.count) }
        let prepared = queries.indices.map { row in
            PreparedQuery(rotated: rotated[row * n..<(row + 1) * n], original: queries[row][...], in: self)
        }
        let byLeading = queries.indices.sorted { (prepared[$0].leading, $0) < (prepared[$1].leading, $1) }
        var passing = [[Int]](repeating: [], count: queries.count)
        var survivors = [UInt32](repeating: 0, count: 16 * count), counts = [Int](repeating: 0, count: 16)
        for first in stride(from: 0, to: queries.count, by: 16) {
            let rows = byLeading[first..<min(queries.count, first + 16)]
            let lanes = ArraySlice(rows.map { prepared[$0] })
            var group = pack(lanes)
            setThresholds(&group, for: lanes, to: rows.map { thresholds[$0] })
            let reachable = window(for: lanes, thresholds: rows.map { thresholds[$0] })
            withWords { screen($0, reachable, &group, survivors: &survivors, capacity: count, counts: &counts) }
            for (lane, row) in rows.enumerated() {
                passing[row] = survivors[lane * count..<lane * count + counts[lane]].map { Int(order[Int($0)]) }
            }
        }
        return passing
    }

    /// Screens the words `range` for the lanes of `group`: lane i's survivors
    /// go to `survivors[i·capacity…]`, their number to `counts[i]`.
    private func screen(_ words: UnsafePointer<dptext_quantized_words>, _ range: Range<Int>, _ group: inout PackedGroup,
                        survivors: inout [UInt32], capacity: Int, counts: inout [Int]) {
        survivors.withUnsafeMutableBufferPointer { out in
        counts.withUnsafeMutableBufferPointer { counts in
        group.codes.withUnsafeBufferPointer { codes in
            group.lanes.codes = codes.baseAddress
            let kernel = vectorized ? dptext_screen : dptext_screen_portable
            kernel(words, range.lowerBound, range.upperBound, &group.lanes, out.baseAddress!, capacity, counts.baseAddress!)
        }}}
    }

    private func withWords<R>(_ body: (UnsafePointer<dptext_quantized_words>) -> R) -> R {
        codes.withUnsafeBufferPointer { codes in
        offsets.withUnsafeBufferPointer { offsets in
        squaredNorms.withUnsafeBufferPointer { squaredNorms in
        doubledScales.withUnsafeBufferPointer { doubledScales in
        doubledResiduals.withUnsafeBufferPointer { doubledResiduals in
        doubledNorms.withUnsafeBufferPointer { doubledNorms in
            var words = dptext_quantized_words(
                codes: codes.baseAddress, offsets: offsets.baseAddress, squaredNorms: squaredNorms.baseAddress,
                doubledScales: doubledScales.baseAddress, doubledResiduals: doubledResiduals.baseAddress,
                doubledNorms: doubledNorms.baseAddress, count: self.codes.count / width, width: width,
                groupsPerSum: levels.groupsPerSum)
            return body(&words)
        }}}}}}
    }

    /// Up to 16 prepared queries, one per lane of the kernel: their codes
    /// (`lanes.codes` points into `codes` only during a kernel call) and
    /// per-lane constants. Unused lanes have threshold −∞ and never pass.
    private struct PackedGroup {
        var lanes = dptext_query_group()
        var codes: [UInt8]
    }

    /// Packs `queries` (at most 16) for the kernel; thresholds: `setThresholds`.
    private func pack(_ queries: ArraySlice<PreparedQuery>) -> PackedGroup {
        let offset = levels.queryOffset
        var group = PackedGroup(codes: [UInt8](repeating: UInt8(offset), count: 16 * width))
        for (lane, query) in queries.enumerated() {
            for j in 0..<width { group.codes[64 * (j / 4) + 4 * lane + j % 4] = UInt8(query.codes[j] + offset) }
        }
        func store(_ values: (PreparedQuery) -> Float, into field: inout (Float, Float, Float, Float, Float, Float, Float, Float,
                                                                          Float, Float, Float, Float, Float, Float, Float, Float)) {
            withUnsafeMutableBytes(of: &field) { bytes in
                for (lane, query) in queries.enumerated() { bytes.storeBytes(of: values(query), toByteOffset: 4 * lane, as: Float.self) }
            }
        }
        store(\.scale, into: &group.lanes.scales)
        store(\.quantizedNorm, into: &group.lanes.quantizedNorms)
        store(\.residualNorm, into: &group.lanes.residualNorms)
        return group
    }

    /// Sets each lane's threshold T′ = bound + margin − ‖y_z‖², rounded up
    /// (−∞ for unused lanes), from the bounds `thresholds` of `pack`'s queries.
    private func setThresholds(_ group: inout PackedGroup, for queries: ArraySlice<PreparedQuery>, to thresholds: [Double]) {
        withUnsafeMutableBytes(of: &group.lanes.thresholds) { limits in
            for lane in 0..<16 {
                var limit = -Float.infinity
                if lane < queries.count {
                    let query = queries[queries.startIndex + lane]
                    limit = thresholds[lane] == .infinity
                        ? .infinity : Float(thresholds[lane] + query.margin - query.squaredNorm).nextUp
                }
                limits.storeBytes(of: limit, toByteOffset: 4 * lane, as: Float.self)
            }
        }
    }

    /// A query's codes, scale, slack norms (float32, rounded up), ‖y_z‖² and margin.
    private struct PreparedQuery {
        let codes: [Int]
        let scale: Float
        let quantizedNorm: Float
        let residualNorm: Float
        let squaredNorm: Double
        let margin: Double
        /// y₁, the first principal coordinate.
        let leading: Double

        init(rotated y: ArraySlice<Double>, original x: ArraySlice<Double>, in screening: AxisScreening) {
            leading = y[y.startIndex]
            let code = Quantized(rotated: y, depth: screening.depth, width: screening.width, levels: screening.levels.query)
            codes = code.codes
            scale = code.scale
            quantizedNorm = Float(code.quantizedNorm).nextUp
            residualNorm = Float(code.residualNorm).nextUp
            squaredNorm = y.reduce(0) { $0 + $1 * $1 }
            let norm = x.reduce(0) { $0 + $1 * $1 }.squareRoot()
            let centred = screening.axes.centredNorm(x)
            let d = Double(y.count)
            let gamma8 = 8 * 0x1p-24 / (1 - 8 * 0x1p-24)
            let evaluation = gamma8 * (screening.largestSquaredNorm + 2 * code.codeNorm * screening.largestCodeNorm
                + Double(quantizedNorm) * screening.largestDoubledResidual + Double(residualNorm) * screening.largestDoubledNorm)
            let rotation = screening.axes.defect * (centred + screening.largestCentredNorm) * (centred + screening.largestCentredNorm)
            let rounding = 8 * d * 0x1p-53 * ((norm + screening.largestNorm) * (norm + screening.largestNorm)
                + (centred + screening.largestCentredNorm) * (centred + screening.largestCentredNorm))
            margin = 2 * (evaluation + rotation + rounding)
        }
    }
}

/// The code row of one rotated vector (see `AxisScreening`): W = [h, ‖t‖]
/// (W = y when the depth is D) as integers q = round(W / s) in −L…L,
/// s = max|W_i| / L (float32), then zeros up to `width`; with the norms
/// the bound's slack needs, in double, inflated far beyond their rounding.
private struct Quantized {
    let codes: [Int]
    let scale: Float
    /// ‖E‖ = ‖W − s·q‖, ‖W‖ and ‖Ŵ‖ = s·‖q‖.
    let residualNorm: Double
    let norm: Double
    let quantizedNorm: Double
    /// s · ‖codes‖ (rounded up), which bounds |s_z s_u J| by Cauchy–Schwarz.
    var codeNorm: Double { quantizedNorm }

    init(rotated y: ArraySlice<Double>, depth: Int, width: Int, levels: Int) {
        let head = Array(y.prefix(depth))
        let w = depth < y.count ? head + [y.dropFirst(depth).reduce(0) { $0 + $1 * $1 }.squareRoot()] : head
        let largest = w.reduce(0) { max($0, abs($1)) }
        let s = Float(largest / Double(levels))
        scale = s
        let inflate = 1 + 0x1p-40
        norm = w.reduce(0) { $0 + $1 * $1 }.squareRoot() * inflate
        guard s > 0 else {
            (codes, residualNorm, quantizedNorm) = ([Int](repeating: 0, count: width), norm, 0)
            return
        }
        let step = Double(s)
        let q = w.map { Int(max(Double(-levels), min(Double(levels), ($0 / step).rounded()))) }
        residualNorm = zip(w, q).reduce(0) { $0 + ($1.0 - step * Double($1.1)) * ($1.0 - step * Double($1.1)) }.squareRoot() * inflate
        quantizedNorm = step * q.reduce(0) { $0 + Double($1 * $1) }.squareRoot() * inflate
        codes = q + [Int](repeating: 0, count: width - q.count)
    }
}

/// The `k` smallest exact squared distances offered, ordered by (distance, id).
private struct ExactSelector {
    let k: Int
    private var best: [RankedCandidate] = []

    init(k: Int) {
        self.k = k
        best.reserveCapacity(k + 1)
    }

    /// The k-th smallest distance so far, `+∞` until k were offered.
    var bound: Double { best.count < k ? .infinity : best[k - 1].squaredDistance }

    /// Whether `offer` would keep this word (checked first where keeping it
    /// needs a costlier test).
    func admits(squaredDistance: Double, id: Int) -> Bool {
        best.count < k || RankedCandidate(squaredDistance: squaredDistance, id: id) < best[k - 1]
    }

    mutating func offer(squaredDistance: Double, id: Int) {
        guard admits(squaredDistance: squaredDistance, id: id) else { return }
        let candidate = RankedCandidate(squaredDistance: squaredDistance, id: id)
        var index = best.count
        while index > 0 && candidate < best[index - 1] { index -= 1 }
        best.insert(candidate, at: index)
        if best.count > k { best.removeLast() }
    }

    var neighbors: [Neighbor] { best.map(\.neighbor) }
}

