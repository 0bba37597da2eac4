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
    /// one-word value to the last bit (lanes are independent IEEE
    /// operations, never fused). Eight rows fetched together let their
    /// cache misses overlap, which is what a random word's distance costs.
    ///
    /// - Precondition: `query.count == dimension`; every id is a word id.
    @inlinable
    public func squaredDistances(from query: UnsafeBufferPointer<Double>, to ids: SIMD8<Int32>) -> SIMD8<Double> {
        vectors.withUnsafeBufferPointer { matrix in
            var rows = SIMD8<Int>()
            for lane in 0..<8 { rows[lane] = Int(ids[lane]) * dimension }
            var sum = SIMD8<Double>()
            for j in 0..<dimension {
                var coordinates = SIMD8<Double>()
                for lane in 0..<8 { coordinates[lane] = Double(matrix[rows[lane] + j]) }
                let difference = SIMD8<Double>(repeating: query[j]) - coordinates
                sum += difference * difference
            }
            return sum
        }
    }
}
