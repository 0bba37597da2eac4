/// What a run did to the words it saw.
public struct RewriteCounts: Sendable, Equatable, Codable {
    /// Records (lines, or JSONL records) processed.
    public var records = 0
    /// Words found by the tokenizer (a joined word absent from the vocabulary counts once per part).
    public var tokens = 0
    /// Words found in the vocabulary.
    public var inVocabulary = 0
    /// Vocabulary words whose output is a different word.
    public var replaced = 0
    /// Vocabulary words whose output is the same word.
    public var unchanged = 0
    /// Words outside the vocabulary, by what the OOV policy did to them.
    public var oovUnk = 0
    public var oovMasked = 0
    public var oovDropped = 0
    public var oovKept = 0

    public init() {}

    /// Words outside the vocabulary.
    public var outOfVocabulary: Int { oovUnk + oovMasked + oovDropped + oovKept }

    public static func += (lhs: inout RewriteCounts, rhs: RewriteCounts) {
        lhs.records += rhs.records
        lhs.tokens += rhs.tokens
        lhs.inVocabulary += rhs.inVocabulary
        lhs.replaced += rhs.replaced
        lhs.unchanged += rhs.unchanged
        lhs.oovUnk += rhs.oovUnk
        lhs.oovMasked += rhs.oovMasked
        lhs.oovDropped += rhs.oovDropped
        lhs.oovKept += rhs.oovKept
    }
}
