/// Order statistics of a sample: minimum, median, mean and maximum.
public struct Summary: Sendable, Equatable {
    public let count: Int
    public let minimum: Double
    public let median: Double
    public let mean: Double
    public let maximum: Double

    /// Summarizes `values`; nil when there are none.
    ///
    /// The median of an even count is the mean of the two middle values.
    public init?<Values: Sequence>(_ values: Values) where Values.Element == Double {
        let sorted = values.sorted()
        guard let first = sorted.first, let last = sorted.last else { return nil }
        let middle = sorted.count / 2
        count = sorted.count
        minimum = first
        maximum = last
        median = sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
        mean = sorted.reduce(0, +) / Double(sorted.count)
    }
}
