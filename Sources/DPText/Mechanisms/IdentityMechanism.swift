/// The identity: every token comes out unchanged. No privacy; it measures
/// the cost of reading, tokenizing and writing, and checks that the text
/// pipeline loses nothing.
public struct IdentityMechanism: WordMechanism {
    public init() {}
    public var name: String { Self.descriptor.name }
    public var parameters: [String: Double] { [:] }
    public var guarantee: PrivacyGuarantee { .none }
    public func draw<G: RandomNumberGenerator>(_ input: MechanismInput, using generator: inout G) -> Draw { .input }
}

extension IdentityMechanism {
    public static let descriptor = MechanismDescriptor(
        name: "identity", summary: "every word as it went in (no privacy; for measurements)", guaranteeKind: "none",
        takesEpsilon: false, decodesPoints: false, epsilonGrid: .none, cost: .none
    ) { _ in IdentityMechanism() }
}
