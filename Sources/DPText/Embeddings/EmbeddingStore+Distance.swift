import CScreening

extension EmbeddingStore {
    /// The squared Euclidean distance `Σ_j (query_j − φ(id)_j)²`, in double
    /// precision, summed in coordinate order.
    ///
    /// This is the one definition of distance every exact computation in
    /// dptext uses (neighbour search, mechanisms, statistics), so results
    /// computed in different places agree to the last bit.
    ///
    /// - Precondition: `query.count == dimension`.
    @inlinable
    public func squaredDistance(from query: UnsafeBufferPointer<Double>, to id: Int) -> Double {
        vectors.withUnsafeBufferPointer { matrix in
            let row = id * dimension
            var sum = 0.0
            for j in 0..<dimension {
                let difference = query[j] - Double(matrix[row + j])
                sum += difference * difference
            }
            return sum
        }
    }

    /// `squaredDistance(from: vector(at: first), to: second)`, without
    /// allocating: the same value to the last bit (widening is exact).
    @inlinable
    public func squaredDistance(between first: Int, and second: Int) -> Double {
        vectors.withUnsafeBufferPointer { matrix in
            let a = first * dimension, b = second * dimension
            var sum = 0.0
            for j in 0..<dimension {
                let difference = Double(matrix[a + j]) - Double(matrix[b + j])
                sum += difference * difference
            }
            return sum
        }
    }

    /// The Euclidean distance between the vectors of two words.
    public func distance(between first: Int, and second: Int) -> Double {
        vector(at: first).withUnsafeBufferPointer { squaredDistance(from: $0, to: second).squareRoot() }
    }
}

extension EmbeddingStore {
    /// `squaredDistance(from: query, to: ids[i])` for eight words at once,
    /// lane i: the same sums in the same order, so each lane equals the
    /// one-word value to the last bit (`dptext_squared_distances8`: lanes are
    /// independent IEEE operations, never fused; eight rows read side by
    /// side with AVX2). Eight rows fetched together let their cache misses
    /// overlap, which is what a random word's distance costs.
    ///
    /// - Precondition: `query.count == dimension`; every id is a word id.
    public func squaredDistances(from query: UnsafeBufferPointer<Double>, to ids: SIMD8<Int32>) -> SIMD8<Double> {
        precondition(query.count == dimension && (0..<8).allSatisfy { ids[$0] >= 0 && Int(ids[$0]) < count })
        var sums = SIMD8<Double>()
        withUnsafePointer(to: ids) { ids in
            ids.withMemoryRebound(to: Int32.self, capacity: 8) { ids in
                withUnsafeMutablePointer(to: &sums) { sums in
                    sums.withMemoryRebound(to: Double.self, capacity: 8) { sums in
                        vectors.withUnsafeBufferPointer { matrix in
                            dptext_squared_distances8(matrix.baseAddress!, dimension, ids, query.baseAddress!, sums)
                        }
                    }
                }
            }
        }
        return sums
    }
}
