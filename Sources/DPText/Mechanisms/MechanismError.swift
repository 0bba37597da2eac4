import Foundation

/// Why a mechanism cannot be built, in the library's terms (parameter names
/// and values); the command line says which of its flags to change.
public enum MechanismError: Error, Equatable, CustomStringConvertible {
    /// A parameter outside its range (`MechanismParameter`): its name and what it must be.
    case invalidParameter(name: String, requirement: String, value: Double)
    /// The guarantee rests on exact search, but the decoder is approximate.
    case needsExactDecoding(mechanism: String, reason: String)
    /// The parameters give no meaningful guarantee on this vocabulary:
    /// `parameter` is the one to change, `detail` says why and how.
    case noGuarantee(parameter: String, detail: String)
    /// The vocabulary is too small for the mechanism.
    case tooFewWords(mechanism: String, count: Int, needed: Int)
    /// ε at or below the smallest the mechanism accepts on this vocabulary
    /// (`MechanismDescriptor.minimumEpsilon`); `vocabulary` describes what the bound depends on.
    case epsilonBelowMinimum(mechanism: String, epsilon: Double, minimum: Double, vocabulary: String)
    /// A post-processing step that cannot follow this mechanism, and why.
    case cannotPostProcess(mechanism: String, step: String, reason: String)

    public var description: String {
        switch self {
        case .invalidParameter(let name, let requirement, let value):
            return "\(name) must be \(requirement) (got \(ParameterRange.format(value)))."
        case .needsExactDecoding(let mechanism, let reason):
            return "\(mechanism) needs exact decoding: \(reason)."
        case .noGuarantee(_, let detail):
            return detail
        case .tooFewWords(let mechanism, let count, let needed):
            return "\(mechanism) needs a vocabulary of at least \(needed) words (got \(count))."
        case .epsilonBelowMinimum(let mechanism, let epsilon, let minimum, let vocabulary):
            return "\(mechanism) needs ε > \(Self.roundedUp(minimum)) for this vocabulary (\(vocabulary)); got \(epsilon)."
        case .cannotPostProcess(let mechanism, let step, let reason):
            return "\(step) cannot follow \(mechanism): \(reason)."
        }
    }

    /// `x` rounded up to 6 significant digits, so that "ε > shown value" implies ε > x.
    static func roundedUp(_ x: Double) -> String {
        guard x.isFinite, x > 0 else { return "\(x)" }
        let scale = pow(10, floor(log10(x)) - 5)
        return String(format: "%.6g", (x / scale).rounded(.up) * scale)
    }
}
