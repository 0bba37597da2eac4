import DPText

/// `--mechanism identity`: every word comes out as it went in (no privacy; measurements).
struct IdentityOptions: MechanismOptionGroup {
    static let names = ["identity"]
    static var needsEpsilon: Bool { false }
    static var decodesPoints: Bool { false }

    func make(name: String, context: MechanismContext) throws -> any WordMechanism { IdentityMechanism() }
}
