/// Pearson's χ² tests on counts: goodness of fit to given cell probabilities, and homogeneity of two
/// samples over the same categories.
///
/// The χ² approximation to the statistic's null distribution needs expected counts that are not
/// small, so sparse cells are first merged with the rule:
///
///     Walk the cells in the given order, adding each to an open group; close the group as soon as
///     its expected count reaches 5. A final group still short of 5 joins the last closed group.
///
/// Merging only adjacent cells keeps ordered categories (histogram bins, lattice points) meaningful,
/// and the rule is deterministic, so a test's power does not depend on hidden choices. Every merged
/// cell then has expected count ≥ 5, except when the whole table is too small for even two such
/// cells: such a test cannot tell anything, so it **fails** (0 degrees of freedom, p = 0) rather
/// than passing silently — a test that meets it needs more draws.
///
/// Cells of probability exactly 0 are never merged into their neighbours (that would hide an
/// impossible outcome inside a possible one): any count in them makes the statistic infinite and
/// p = 0 (`impossibleCount`), and without counts they are left out.
///
/// p = Q(df/2, χ²/2), the upper tail of the χ²(df) distribution.
public struct ChiSquareTest: Sendable, Equatable {
    public let statistic: Double
    public let degreesOfFreedom: Int
    public let pValue: Double
    /// Observations in cells of probability 0 (goodness of fit); anything but 0 fails the test.
    public let impossibleCount: Int

    /// Goodness of fit: χ² = Σ (Oⱼ − Eⱼ)² / Eⱼ over merged cells with Eⱼ = N·Σ pᵢ, df = cells − 1.
    /// Requires nonnegative counts with N > 0, and probabilities ≥ 0 summing to 1 within 1e-9.
    public init(observed: [Int], expectedProbabilities: [Double]) {
        precondition(observed.count == expectedProbabilities.count && !observed.isEmpty,
                     "ChiSquareTest: need one probability per observed cell")
        precondition(observed.allSatisfy { $0 >= 0 }, "ChiSquareTest: negative count")
        precondition(expectedProbabilities.allSatisfy { $0 >= 0 }, "ChiSquareTest: negative probability")
        let total = expectedProbabilities.reduce(0, +)
        precondition(abs(total - 1) <= 1e-9, "ChiSquareTest: probabilities sum to \(total), not 1")
        let n = Double(observed.reduce(0, +))
        precondition(n > 0, "ChiSquareTest: no observations")

        let possible = expectedProbabilities.indices.filter { expectedProbabilities[$0] > 0 }
        let impossible = zip(observed, expectedProbabilities).reduce(0) { $0 + ($1.1 == 0 ? $1.0 : 0) }
        let counts = possible.map { observed[$0] }
        let expected = possible.map { n * expectedProbabilities[$0] }
        let groups = Self.merge(expected)
        var statistic = 0.0
        for group in groups where groups.count > 1 {
            let o = Double(counts[group].reduce(0, +)), e = expected[group].reduce(0, +)
            statistic += (o - e) * (o - e) / e
        }
        self.init(statistic: impossible > 0 ? .infinity : statistic, degreesOfFreedom: groups.count - 1,
                  impossibleCount: impossible)
    }

    /// Homogeneity of two samples counted over the same K categories (a 2 × K contingency table).
    /// Under the null both rows share the column proportions, so Eᵣⱼ = Nᵣ·Cⱼ/N. Columns are merged
    /// until the smaller row's expectation min(N_a, N_b)·Cⱼ/N is ≥ 5 (hence both are); df = K′ − 1.
    public init(_ a: [Int], _ b: [Int]) {
        precondition(a.count == b.count && !a.isEmpty, "ChiSquareTest: samples need the same categories")
        precondition(a.allSatisfy { $0 >= 0 } && b.allSatisfy { $0 >= 0 }, "ChiSquareTest: negative count")
        let na = Double(a.reduce(0, +)), nb = Double(b.reduce(0, +))
        precondition(na > 0 && nb > 0, "ChiSquareTest: each sample needs observations")
        let n = na + nb

        let smallerRow = min(na, nb) / n
        let groups = Self.merge(zip(a, b).map { smallerRow * Double($0 + $1) })
        var statistic = 0.0
        for group in groups where groups.count > 1 {
            let oa = Double(a[group].reduce(0, +)), ob = Double(b[group].reduce(0, +))
            let column = oa + ob
            let ea = na * column / n, eb = nb * column / n
            statistic += (oa - ea) * (oa - ea) / ea + (ob - eb) * (ob - eb) / eb
        }
        self.init(statistic: statistic, degreesOfFreedom: groups.count - 1)
    }

    private init(statistic: Double, degreesOfFreedom: Int, impossibleCount: Int = 0) {
        self.statistic = statistic
        self.degreesOfFreedom = degreesOfFreedom
        self.impossibleCount = impossibleCount
        pValue = degreesOfFreedom == 0 || impossibleCount > 0
            ? 0 : IncompleteGamma.regularizedUpper(Double(degreesOfFreedom) / 2, statistic / 2)
    }

    /// Index ranges of the merged cells under the rule above, given each cell's expected count.
    static func merge(_ expected: [Double], minimum: Double = 5) -> [Range<Int>] {
        var groups: [Range<Int>] = []
        var start = 0, sum = 0.0
        for (i, e) in expected.enumerated() {
            sum += e
            if sum >= minimum {
                groups.append(start..<(i + 1))
                start = i + 1
                sum = 0
            }
        }
        if start < expected.count {
            if let last = groups.popLast() {
                groups.append(last.lowerBound..<expected.count)
            } else {
                groups.append(0..<expected.count)
            }
        }
        return groups
    }
}
