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
