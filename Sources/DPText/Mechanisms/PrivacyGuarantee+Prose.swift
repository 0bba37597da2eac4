import Foundation

extension PrivacyGuarantee {
    /// What the guarantee means for a whole document, in words the run
    /// report carries (Mechanisms.md §7): never more than the guarantee.
    /// Tokens are privatized independently, so per-token bounds add up over
    /// positions; what the guarantee itself leaves exposed comes first in
    /// `notProtected`, followed by what every run reveals.
    ///
    /// - Parameter passedThrough: appended to the exposed words of a partial
    ///   guarantee (how many tokens the run passed through, when known).
    public func documentProse(passedThrough: String = "")
        -> (document: String, protected: [String], notProtected: [String]) {
        var document: String, protected: [String]
        switch base {
        case .none:
            document = "None: the identity mechanism does not randomize, so the output reveals the input."
            protected = []
        case .unverified(_, let reason):
            document = "None proven: the per-token bound is unverified (\(reason)), so nothing follows for a document."
            protected = []
        case .pureMetric:
            document = """
                Tokens are privatized independently, so for two texts of equal length the bound adds up over \
                positions: P[M(x) = y] ≤ exp(ε·Σᵢ d(xᵢ, x'ᵢ))·P[M(x') = y]. Privatizing the same text again with \
                fresh noise spends the budget again.
                """
            protected = ["the identity of every vocabulary word, within the per-token ε·d bound"]
        case .pureMahalanobis:
            document = """
                Tokens are privatized independently, so for two texts of equal length the bound adds up over \
                positions: P[M(x) = y] ≤ exp(ε·Σᵢ d_M(xᵢ, x'ᵢ))·P[M(x') = y], and in Euclidean terms \
                exp(ε'·Σᵢ d(xᵢ, x'ᵢ)). Privatizing the same text again with fresh noise spends the budget again.
                """
            protected = ["the identity of every vocabulary word, within the per-token ε·d_M bound (ε'·d Euclidean)"]
        case .pureWithinGroups:
            document = """
                Tokens are privatized independently, so for two texts of equal length whose words are, position by \
                position, in the same groups: P[M(x) = y] ≤ exp(ε·k)·P[M(x') = y], k the number of positions where \
                they differ. Texts whose words fall in different groups at some position are not protected from \
                each other. Privatizing the same text again with fresh noise spends the budget again.
                """
            protected = ["which word of its group each vocabulary word is, within the per-token ε bound"]
        case .pureListIndexMetric:
            document = """
                Tokens are privatized independently, so for two texts of equal length the bound adds up over \
                positions: P[M(x) = y] ≤ exp(ε·Σᵢ max_k |i_k(xᵢ) − i_k(x'ᵢ)|)·P[M(x') = y], in list positions, \
                not embedding distance. Privatizing the same text again with fresh noise spends the budget again.
                """
            protected = ["the identity of every vocabulary word, within the per-token ε bound in list positions"]
        case .approximateMetric(_, let delta):
            document = """
                Each token's output is within total variation δ of a pure ε·d mechanism's, and tokens are \
                privatized independently, so for two texts of equal length L: P[M(x) ∈ S] ≤ \
                exp(ε·Σᵢ d(xᵢ, x'ᵢ))·P[M(x') ∈ S] + (1 + exp(ε·Σᵢ d(xᵢ, x'ᵢ)))·L·δ. The δ terms add up over \
                tokens (Σδ = L·δ): with δ = \(delta) the bound says nothing beyond \(Self.tokensUntilVoid(delta)) \
                tokens. Privatizing the same text again with fresh noise spends the budget again.
                """
            protected = ["the identity of every vocabulary word, within the per-token (ε·d, δ) bound"]
        case .partial:
            preconditionFailure("base strips partial guarantees")
        }
        var notProtected = [
            "text length, line structure, and the position of every word",
            "all bytes that are not words: whitespace, punctuation, symbols, emoji, and the separators inside numbers",
            "each word's casing class (lower, Title, UPPER): every word is written as its output word in that class",
        ]
        switch base {
        case .none:
            notProtected.insert("every word: the identity mechanism does not randomize, and keeps each word's bytes", at: 0)
        case .unverified(_, let reason):
            notProtected.insert("the identity of every word: the claimed bound is unverified (\(reason))", at: 0)
        case .pureWithinGroups:
            notProtected.insert("which group each word belongs to: the groups are public and every output is in its "
                                + "input's group", at: 0)
        default:
            break
        }
        if case .partial(_, let covered, let exposed) = self {
            protected = protected.map { "for \(covered): \($0)" }
            notProtected.insert(exposed + passedThrough, at: 0)
            document += " Positions outside the covered words are protected only where the two texts agree."
        }
        return (document, protected, notProtected)
    }

    /// The token count at which L·δ reaches 1.
    static func tokensUntilVoid(_ delta: Double) -> String {
        guard delta > 0 else { return "any number of" }
        let tokens = (1 / delta).rounded(.up)
        return tokens < 1e15 ? String(format: "%.0f", tokens) : String(format: "%.3g", tokens)
    }
}
