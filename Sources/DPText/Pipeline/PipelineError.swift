/// Why a privatization run stopped. Nothing is left at the output path when
/// it does.
public enum PipelineError: Error, Equatable, CustomStringConvertible {
    /// A record that cannot be processed: file, 1-based line, what is wrong.
    case invalidRecord(path: String, line: Int, detail: String)
    /// Input that cannot be read.
    case unreadableInput(path: String, reason: String)
    /// Output that cannot be created or written.
    case unwritableOutput(path: String, reason: String)
    /// The output would replace an input.
    case outputIsInput(path: String)
    /// More of an input would pass through unprotected than allowed.
    case tooManyUnprotected(path: String, counts: RewriteCounts, limit: Double)
    /// Two records have the same record key (they would share their noise).
    case duplicateRecordKey(path: String, line: Int, key: String, firstPath: String, firstLine: Int)

    public var description: String {
        switch self {
        case .invalidRecord(let path, let line, let detail):
            return "\(path):\(line): \(detail). Fix the record, or skip such records (the on-error policy `skip` "
                + "writes them unchanged, unprotected, counted in the report)."
        case .unreadableInput(let path, let reason):
            return "\(path): cannot be read (\(reason)). Check that it is a readable file."
        case .unwritableOutput(let path, let reason):
            return "\(path): cannot be written (\(reason)). Check that the folder exists, is writable and has space."
        case .outputIsInput(let path):
            return "\(path): the output would overwrite an input. Choose another output path."
        case .duplicateRecordKey(let path, let line, let key, let firstPath, let firstLine):
            return "\(path):\(line): record key \(key) is also the key of \(firstPath):\(firstLine); two records with "
                + "one key would share their noise. Give every record its own key; no output was kept"
        case .tooManyUnprotected(let path, let counts, let limit):
            return Self.tooManyUnprotected(path: path, counts: counts, limit: limit, keptPolicy: "kept",
                                           limitName: "the limit") + "Privatize unknown words, convert the input to "
                + "UTF-8, fix the records, or raise the limit."
        }
    }

    /// Why a directory cannot be an output path.
    public static let isADirectory = "it is a directory; give a file path"

    /// The account of unprotected tokens, with the names a front end gives
    /// the keep policy and the limit (`keptPolicy`, `limitName`).
    public static func tooManyUnprotected(path: String, counts: RewriteCounts, limit: Double, keptPolicy: String,
                                          limitName: String) -> String {
        let percent = { (x: Double) in String(format: "%.2f %%", 100 * x) }
        return "\(path): \(percent(counts.unprotectedFraction)) of its tokens would pass through unprotected "
            + "(\(counts.oovKept) out-of-vocabulary words \(keptPolicy), "
            + (counts.keptByMechanism > 0 ? "\(counts.keptByMechanism) words the mechanism does not cover, " : "")
            + "\(counts.undecodableRuns) runs of bytes that are not UTF-8, \(counts.skippedWords) words in "
            + "\(counts.skippedRecords) skipped records), "
            + "more than \(limitName) \(limit) (\(percent(limit))); no output was kept"
            + counts.skipped.prefix(3).map { "; skipped \($0.path):\($0.line): \($0.reason)" }.joined()
            + (counts.skippedRecords > 3 ? "; …" : "") + ". "
    }
}
