import ArgumentParser
import DPText

/// The mechanisms `--mechanism` selects, and how each is built from options.
enum MechanismChoice: String, ExpressibleByArgument, CaseIterable {
    case laplace
    case identity

    /// Builds the mechanism; `epsilon` is required by every private mechanism.
    func make(epsilon: Double?, store: EmbeddingStore) throws -> any WordMechanism {
        switch self {
        case .identity:
            return IdentityMechanism()
        case .laplace:
            return try MultivariateLaplaceMechanism(epsilon: requireEpsilon(epsilon), store: store)
        }
    }

    private func requireEpsilon(_ epsilon: Double?) throws -> Double {
        guard let epsilon else { throw ValidationError("--mechanism \(rawValue) needs --epsilon (a number > 0).") }
        return epsilon
    }
}

enum FormatChoice: String, ExpressibleByArgument, CaseIterable {
    case text, jsonl
}

extension OOVPolicy: ExpressibleByArgument {}
