extension EmbeddingStore {
    /// The Euclidean norm of every vector, in id order.
    public func norms() -> [Double] {
        (0..<count).map { id in vector(at: id).reduce(0) { $0 + $1 * $1 }.squareRoot() }
    }
}
