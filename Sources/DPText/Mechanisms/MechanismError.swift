/// A mechanism parameter outside its domain.
public enum MechanismError: Error, Equatable, CustomStringConvertible {
    case invalidEpsilon(Double)
    /// A truncation cap (`--max-noise`, `--max-distance`) that is not a finite number > 0.
    case invalidCap(Double)
    /// An MCMC or KDE setting outside its domain: the option and what it must be.
    case invalidParameter(name: String, requirement: String, value: Double)
    /// The guarantee rests on exact search, but the decoder is approximate.
    case needsExactDecoding(mechanism: String, reason: String)
    /// The parameters give no meaningful guarantee; `detail` says why and what to change.
    case noGuarantee(String)

    public var description: String {
        switch self {
        case .invalidEpsilon(let epsilon):
            return "--epsilon must be a finite number greater than 0 (got \(epsilon))."
        case .invalidCap(let cap):
            return "--max-noise and --max-distance must be finite numbers greater than 0 (got \(cap))."
        case .invalidParameter(let name, let requirement, let value):
            return "\(name) must be \(requirement) (got \(value))."
        case .needsExactDecoding(let mechanism, let reason):
            return "\(mechanism) needs exact decoding: \(reason). Use --decoder exact."
        case .noGuarantee(let detail):
            return detail
        }
    }
}
