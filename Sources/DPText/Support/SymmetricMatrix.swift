import COpenBLAS

/// A symmetric n × n matrix of doubles, row-major, and the two LAPACK
/// factorizations dptext needs of it (OpenBLAS's LAPACK: `dsyev`, `dpotrf`).
struct SymmetricMatrix: Sendable, Equatable {
    let size: Int
    /// Row-major `size × size` entries (symmetric, so also column-major).
    var entries: [Double]

    init(size: Int, entries: [Double]) {
        precondition(entries.count == size * size, "SymmetricMatrix: \(size)² entries needed")
        self.size = size
        self.entries = entries
    }

    subscript(row: Int, column: Int) -> Double { entries[row * size + column] }

    var trace: Double { (0..<size).reduce(0) { $0 + self[$1, $1] } }

    /// The eigenvalues, ascending (LAPACK `dsyev`); nil if it fails to converge.
    func eigenvalues() -> [Double]? {
        decompose(vectors: false)?.values
    }

    /// The eigenvalues, ascending, and the eigenvectors as the rows of a
    /// row-major `size × size` matrix, row i belonging to value i (LAPACK
    /// `dsyev`); nil if it fails to converge.
    func eigenvectors() -> (values: [Double], vectors: [Double])? {
        decompose(vectors: true)
    }

    private func decompose(vectors: Bool) -> (values: [Double], vectors: [Double])? {
        // Column-major eigenvectors (LAPACK's columns) read row-major are rows.
        var a = entries
        var values = [Double](repeating: 0, count: size)
        var n = Int32(size), lda = Int32(size), info: Int32 = 0
        var lwork: Int32 = -1, optimal = 0.0
        let job = vectors ? "V" : "N"
        dsyev_(job, "U", &n, &a, &lda, &values, &optimal, &lwork, &info, 1, 1)  // workspace query
        lwork = Int32(max(1, Int(optimal)))
        var work = [Double](repeating: 0, count: Int(lwork))
        dsyev_(job, "U", &n, &a, &lda, &values, &work, &lwork, &info, 1, 1)
        return info == 0 ? (values, a) : nil
    }

    /// The lower-triangular L with L·Lᵀ = self, row-major (LAPACK `dpotrf`),
    /// or nil when the matrix is not positive definite.
    func choleskyFactor() -> [Double]? {
        // Row-major lower = column-major upper: ask LAPACK for "U" and read it as L.
        var a = entries
        var n = Int32(size), lda = Int32(size), info: Int32 = 0
        dpotrf_("U", &n, &a, &lda, &info, 1)
        guard info == 0 else { return nil }
        for row in 0..<size { for column in (row + 1)..<size { a[row * size + column] = 0 } }
        return a
    }
}
