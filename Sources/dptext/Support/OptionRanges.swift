import ArgumentParser
import DPText

/// Every numeric option has a range, stated in its help and checked in
/// `validate()`, before any work: a value outside it is a usage error (64)
/// naming the flag, never a crash or an allocation that cannot succeed.
enum OptionRanges {
    static let threads = 1...1024
    static let sampleWords = 1...1_000_000
    static let draws = 1...100_000_000
    static let neighbors = 1...10_000
    static let seconds = 1e-3...1e6
    static let multiple = 1.0...1e6

    /// Throws unless `value` is in `range`.
    static func require(_ flag: String, _ value: Int, in range: ClosedRange<Int>) throws {
        guard range.contains(value) else {
            throw ValidationError("\(flag) must be a whole number in [\(range.lowerBound), \(range.upperBound)] (got \(value)).")
        }
    }

    /// Throws unless `value` is in `range`.
    static func require(_ flag: String, _ value: Double, in range: ClosedRange<Double>) throws {
        guard range.contains(value) else {
            throw ValidationError("\(flag) must be a number in [\(range.lowerBound), \(range.upperBound)] (got \(value)).")
        }
    }

    /// Throws unless `value` is a valid ε (`MechanismParameter.epsilon`).
    static func requireEpsilon(_ flag: String, _ value: Double) throws {
        let parameter = MechanismParameter.epsilon
        guard (try? parameter.check(value)) != nil else {
            throw ValidationError("\(flag) must be \(parameter.requirement) (got \(value)).")
        }
    }

    /// "1–1024": how help states a range.
    static func text(_ range: ClosedRange<Int>) -> String { "\(range.lowerBound)–\(range.upperBound)" }
}
