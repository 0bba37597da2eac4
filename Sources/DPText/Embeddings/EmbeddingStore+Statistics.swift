import COpenBLAS

extension EmbeddingStore {
    /// The Euclidean norm of every vector, in id order.
    public func norms() -> [Double] {
        (0..<count).map { id in vector(at: id).reduce(0) { $0 + $1 * $1 }.squareRoot() }
    }
}

extension EmbeddingStore {
    /// The fixed public vector a word outside the vocabulary is privatized
    /// as under `--oov unk` (Mechanisms.md §8.7 (a)): the mean of all vectors,
    /// summed in id order. It is not a vocabulary word, so bounds proven for
    /// word centres must be checked for it too (the distance cap's δ).
    public var outOfVocabularyStandIn: [Double] {
        var mean = [Double](repeating: 0, count: dimension)
        vectors.withUnsafeBufferPointer { matrix in
            for id in 0..<count {
                for j in 0..<dimension { mean[j] += Double(matrix[id * dimension + j]) }
            }
        }
        return mean.map { $0 / Double(count) }
    }
}

extension EmbeddingStore {
    /// The covariance of the vectors, `(1/V)·Σ (x − μ)(x − μ)ᵀ` (ddof 0), as a
    /// row-major `D × D` matrix: a statistic of the public vocabulary only.
    ///
    /// Summed 4,096 centred rows at a time with BLAS `dsyrk`.
    public func covariance() -> [Double] {
        let n = dimension, v = Double(count)
        let mean = outOfVocabularyStandIn
        var sums = [Double](repeating: 0, count: n * n)
        var centred = [Double]()
        for start in stride(from: 0, to: count, by: 4096) {
            let rows = min(4096, count - start)
            centred = (0..<rows * n).map { Double(vectors[start * n + $0]) - mean[$0 % n] }
            // sums (upper triangle, row-major) += centredᵀ·centred
            cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, Int32(n), Int32(rows), 1, centred, Int32(n), 1, &sums, Int32(n))
        }
        for i in 0..<n {
            for j in i..<n {
                sums[i * n + j] /= v
                sums[j * n + i] = sums[i * n + j]
            }
        }
        return sums
    }
}
