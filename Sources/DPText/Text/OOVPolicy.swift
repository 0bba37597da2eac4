/// What happens to a word the vocabulary does not have (Mechanisms.md §8.7).
///
/// Out-of-vocabulary words are often names, rare words and identifiers: the
/// most sensitive tokens of a text. The default, `unk`, is the only policy
/// under which they are covered by the mechanism's guarantee.
public enum OOVPolicy: String, Sendable, CaseIterable {
    /// Privatize a fixed public vector (the mean of all vocabulary vectors)
    /// in place of the word: the output is a vocabulary word drawn by the
    /// mechanism, indistinguishable in kind from any other output. The
    /// guarantee holds for the pseudometric in which all OOV words are one
    /// point. Default.
    case unk
    /// Replace the word with a fixed placeholder (`--mask-token`): reveals
    /// that an unknown word stood there, nothing else.
    case mask
    /// Remove the word (the bytes around it stay): reveals where words were
    /// removed.
    case drop
    /// Pass the word through unchanged: **no protection** for it. Counted
    /// and stated in the run report.
    case keep
}
