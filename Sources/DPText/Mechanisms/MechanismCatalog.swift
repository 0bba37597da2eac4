/// Every mechanism dptext offers, in the order help lists them: the one
/// list that the command line, benchmarks, evaluations, the audit, the tests
/// and the study iterate over. A new mechanism adds its descriptor here.
public enum MechanismCatalog {
    public static let all: [MechanismDescriptor] = [
        MultivariateLaplaceMechanism.descriptor, TruncatedLaplaceMechanism.descriptor,
        TruncatedGumbelMechanism.descriptor, KDEMetropolisHastingsMechanism.descriptor,
        TruncatedExponentialMechanism.descriptor, SanTextMechanism.descriptor, SanTextPlusMechanism.descriptor,
        CusTextMechanism.descriptor, CusTextPlusMechanism.descriptor, MahalanobisMechanism.descriptor,
        VickreyMechanism.descriptor, DiffractorMechanism.descriptor, IdentityMechanism.descriptor,
    ]

    /// Every mechanism's name, in order.
    public static var names: [String] { all.map(\.name) }

    /// The mechanism called `name`.
    public static func named(_ name: String) -> MechanismDescriptor? {
        all.first { $0.name == name }
    }

    /// The mechanisms that give privacy (every one but the identity), for evaluations.
    public static var privatizing: [MechanismDescriptor] { all.filter { $0.guaranteeKind != "none" } }
}
