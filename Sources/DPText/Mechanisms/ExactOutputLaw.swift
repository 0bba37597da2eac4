/// A mechanism whose output law P(y | x) has a closed form over the
/// vocabulary (the exponential-mechanism family and 1-Diffractor): what lets an
/// evaluation compute attack success exactly instead of estimating it.
public protocol ExactOutputLaw: Sendable {
    /// P(y | input) for every word id y (O(V) or more per call).
    func probabilities(_ input: MechanismInput) -> [Double]
}

extension TruncatedExponentialMechanism: ExactOutputLaw {}
extension SanTextMechanism: ExactOutputLaw {}
extension SanTextPlusMechanism: ExactOutputLaw {}
extension CusTextMechanism: ExactOutputLaw {}
extension CusTextPlusMechanism: ExactOutputLaw {}
