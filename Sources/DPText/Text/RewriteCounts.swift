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
    /// Vocabulary words the mechanism passed through without protection by
    /// design (SanText+'s non-sensitive words it did not sample, CusText+'s
    /// stopwords); also counted in `unchanged`.
    public var keptByMechanism = 0
    /// Maximal runs of bytes that are not valid UTF-8, passed through unchanged.
    public var undecodableRuns = 0
    /// Records that could not be processed and were written unchanged (`--on-error skip`).
    public var skippedRecords = 0
    /// The words of those records.
    public var skippedWords = 0
    /// Where the skipped records are (the first `SkippedRecord.listLimit`).
    public var skipped: [SkippedRecord] = []

    public init() {}

    /// Words outside the vocabulary.
    public var outOfVocabulary: Int { oovUnk + oovMasked + oovDropped + oovKept }

    /// What passed through with no protection: OOV words under `keep`, words
    /// the mechanism left unprotected, runs of undecodable bytes (text in
    /// another encoding may hide words there), and every word of a skipped record.
    public var unprotected: Int { oovKept + keptByMechanism + undecodableRuns + skippedWords }

    /// `unprotected` over everything that could have held a word: the
    /// tokenizer's words, undecodable runs and the words of skipped records
    /// (0 when there are none).
    public var unprotectedFraction: Double {
        let total = tokens + undecodableRuns + skippedWords
        return total == 0 ? 0 : Double(unprotected) / Double(total)
    }

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
        lhs.keptByMechanism += rhs.keptByMechanism
        lhs.undecodableRuns += rhs.undecodableRuns
        lhs.skippedRecords += rhs.skippedRecords
        lhs.skippedWords += rhs.skippedWords
        lhs.skipped += rhs.skipped.prefix(max(0, SkippedRecord.listLimit - lhs.skipped.count))
    }
}

/// A record written unchanged because it could not be processed.
public struct SkippedRecord: Sendable, Equatable, Codable {
    /// How many are listed in a run's counts (all are counted).
    public static let listLimit = 1000
    public let path: String
    public let line: Int
    public let reason: String

    public init(path: String, line: Int, reason: String) {
        self.path = path
        self.line = line
        self.reason = reason
    }
}
