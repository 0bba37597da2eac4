import DPText

/// `--mechanism laplace`: multivariate Laplace noise, nearest word.
struct LaplaceOptions: MechanismOptionGroup {
    static let names = ["laplace"]

    func make(name: String, context: MechanismContext) throws -> any WordMechanism {
        try MultivariateLaplaceMechanism(epsilon: context.epsilon, store: context.resources.vocabulary)
    }
}
