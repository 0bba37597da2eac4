import Foundation

/// One measured privatization run: what `bench privatize` prints (as a
/// table line, or as JSON for `bench suite`, which runs each mechanism in its
/// own process so that peak memory is that mechanism's own).
struct BenchRow: Codable {
    var mechanism: String
    var epsilon: Double?
    /// Opening the store, building the index and setting the mechanism up
    /// (loading cached extents and neighbour tables).
    var startupSeconds: Double
    var tokens: Int
    var bytes: Int
    var seconds: Double
    /// Replaced words / vocabulary words.
    var changedFraction: Double
    /// Tokens that passed through unprotected (`RewriteCounts.unprotectedFraction`).
    var unprotectedFraction: Double
    /// Whether the noise was seeded (the default path, and the private one, is not).
    var seeded: Bool
    var peakResidentBytes: Int

    var tokensPerSecond: Double { Double(tokens) / seconds }
    var megabytesPerSecond: Double { Double(bytes) / 1e6 / seconds }

    static let header = "mechanism                         ε   startup s     tokens   seconds      tokens/s     MB/s  changed   peak RSS"

    var tableLine: String {
        leftAligned(mechanism, 26)
            + rightAligned(epsilon.map { $0 >= 1000 ? fixed($0, digits: 0) : fixed($0, digits: 1) } ?? "-", 8)
            + rightAligned(fixed(startupSeconds, digits: 2), 12)
            + rightAligned("\(tokens)", 11)
            + rightAligned(fixed(seconds, digits: 2), 10)
            + rightAligned(fixed(tokensPerSecond, digits: 0), 14)
            + rightAligned(fixed(megabytesPerSecond, digits: 2), 9)
            + rightAligned(fixed(100 * changedFraction, digits: 1) + "%", 9)
            + rightAligned(megabytes(peakResidentBytes), 11)
    }

    var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }
}
