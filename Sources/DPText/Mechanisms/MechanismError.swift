/// A mechanism parameter outside its domain.
public enum MechanismError: Error, Equatable, CustomStringConvertible {
    case invalidEpsilon(Double)

    public var description: String {
        switch self {
        case .invalidEpsilon(let epsilon):
            return "--epsilon must be a finite number greater than 0 (got \(epsilon))."
        }
    }
}
