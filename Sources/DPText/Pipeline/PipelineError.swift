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
    /// Two records have the same `--record-key` value (they would share their noise).
    case duplicateRecordKey(path: String, line: Int, key: String, firstPath: String, firstLine: Int)

    public var description: String {
        switch self {
        case .invalidRecord(let path, let line, let detail):
            return "\(path):\(line): \(detail). Fix the record, or pass --on-error skip to write such records "
                + "unchanged (unprotected, counted in the report)."
        case .unreadableInput(let path, let reason):
            return "\(path): cannot be read (\(reason)). Check that it is a readable file."
        case .unwritableOutput(let path, let reason):
            return "\(path): cannot be written (\(reason)). Check that the folder exists, is writable and has space."
        case .outputIsInput(let path):
            return "\(path): the output would overwrite an input. Choose another output path."
        case .duplicateRecordKey(let path, let line, let key, let firstPath, let firstLine):
            return "\(path):\(line): record key \(key) is also the key of \(firstPath):\(firstLine); two records with "
                + "one key would share their noise. Give every record its own key (--record-key); no output was kept"
        case .tooManyUnprotected(let path, let counts, let limit):
            let percent = { (x: Double) in String(format: "%.2f %%", 100 * x) }
            return "\(path): \(percent(counts.unprotectedFraction)) of its tokens would pass through unprotected "
                + "(\(counts.oovKept) out-of-vocabulary words under --oov keep, "
                + (counts.keptByMechanism > 0 ? "\(counts.keptByMechanism) words the mechanism does not cover, " : "")
                + "\(counts.undecodableRuns) runs of bytes that are not UTF-8, \(counts.skippedWords) words in "
                + "\(counts.skippedRecords) skipped records), "
                + "more than --max-unprotected-fraction \(limit) (\(percent(limit))); no output was kept"
                + counts.skipped.prefix(3).map { "; skipped \($0.path):\($0.line): \($0.reason)" }.joined()
                + (counts.skippedRecords > 3 ? "; …" : "") + ". "
                + "Use --oov unk, convert the input to UTF-8, fix the records, or raise --max-unprotected-fraction."
        }
    }
}
