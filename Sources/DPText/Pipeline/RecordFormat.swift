/// How input is split into records and which bytes of a record are text.
public enum RecordFormat: Sendable, Equatable {
    /// Every line is a record; the whole line is text.
    case text
    /// Every line is a JSON object; the string at top-level member `field`
    /// is text and every other byte of the line is kept as it is. Lines of
    /// only whitespace pass through unchanged.
    case jsonl(field: String)
}

extension RecordFormat {
    /// The JSONL field that is privatized (nil for text).
    public var field: String? {
        if case .jsonl(let field) = self { return field }
        return nil
    }
}
