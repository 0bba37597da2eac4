/// A numeric parameter of a mechanism, declared once beside the mechanism's
/// math: its name, meaning, the range it must lie in and its default. The
/// mechanism checks its values against it; the command line builds its
/// help from it and checks values before any work; reports use its name.
public struct MechanismParameter: Sendable, Equatable {
    /// The name in reports (`parameters`) and errors; the command line's
    /// flag is `--` and the name with `_` as `-`, unless its option group says otherwise.
    public let name: String
    /// How the math writes it (`ε`, `β`, `K`).
    public let symbol: String
    /// What it does, as a phrase.
    public let meaning: String
    public let range: ParameterRange
    /// Whether only whole numbers are allowed.
    public let isInteger: Bool
    /// The value used when none is given, if it is a fixed number.
    public let defaultValue: Double?
    /// How the default is found when it is not a fixed number ("Scott's rule").
    public let defaultNote: String?

    public init(name: String, symbol: String, meaning: String, range: ParameterRange, isInteger: Bool = false,
                defaultValue: Double? = nil, defaultNote: String? = nil) {
        (self.name, self.symbol, self.meaning, self.range) = (name, symbol, meaning, range)
        (self.isInteger, self.defaultValue, self.defaultNote) = (isInteger, defaultValue, defaultNote)
    }

    /// `value`, or a `MechanismError.invalidParameter` naming this parameter and its range.
    @discardableResult
    public func check(_ value: Double) throws(MechanismError) -> Double {
        guard range.contains(value), !isInteger || value.rounded() == value else {
            throw .invalidParameter(name: name, requirement: requirement, value: value)
        }
        return value
    }

    /// As `check(_:)` for a whole number.
    @discardableResult
    public func check(_ value: Int) throws(MechanismError) -> Int {
        try check(Double(value))
        return value
    }

    /// "a number in (0, 1)", "a whole number in [1, 1000]".
    public var requirement: String {
        (isInteger ? "a whole number in " : "a number in ") + range.description
    }

    /// The default as a phrase: "0.001", "Scott's rule".
    public var defaultDescription: String? {
        defaultNote ?? defaultValue.map(ParameterRange.format)
    }

    /// One line for help: meaning, range and default.
    public var help: String {
        "\(symbol), \(meaning); \(range.description)" + (defaultDescription.map { ", default \($0)" } ?? "")
    }

    /// ε, which every mechanism but the identity takes, in units of 1/(embedding distance).
    ///
    /// The range keeps every computation finite and exact: below 10⁻⁶ the
    /// noise radius (about D/ε) would square past float32's range in the
    /// screened search, and no ε of use is near either end.
    public static let epsilon = MechanismParameter(
        name: "epsilon", symbol: "ε", meaning: "the privacy parameter, per unit of embedding distance",
        range: .closed(1e-6, 1e9))
}

/// An interval of allowed values, each end open or closed.
public struct ParameterRange: Sendable, Equatable, CustomStringConvertible {
    public let lower: Double
    public let upper: Double
    public let includesLower: Bool
    public let includesUpper: Bool

    public static func closed(_ lower: Double, _ upper: Double) -> Self { Self(lower, upper, true, true) }
    public static func open(_ lower: Double, _ upper: Double) -> Self { Self(lower, upper, false, false) }
    /// Open below, closed above: `(lower, upper]`.
    public static func above(_ lower: Double, through upper: Double) -> Self { Self(lower, upper, false, true) }

    private init(_ lower: Double, _ upper: Double, _ includesLower: Bool, _ includesUpper: Bool) {
        (self.lower, self.upper, self.includesLower, self.includesUpper) = (lower, upper, includesLower, includesUpper)
    }

    /// Whether `value` lies in the range (never for NaN).
    public func contains(_ value: Double) -> Bool {
        (includesLower ? value >= lower : value > lower) && (includesUpper ? value <= upper : value < upper)
    }

    public var description: String {
        (includesLower ? "[" : "(") + Self.format(lower) + ", " + Self.format(upper) + (includesUpper ? "]" : ")")
    }

    /// A number as people write it: 0.001, 20, 1e+06.
    public static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e6 { return String(Int(value)) }
        return abs(value) >= 1e-3 && abs(value) < 1e6 ? "\(value)" : String(format: "%g", value)
    }
}
