/// What a run wrote, counted on the written bytes alone — so, unlike the
/// input counts of `RewriteCounts`, they can be published with the output.
public struct OutputCounts: Codable, Sendable, Equatable {
    /// Lines: every line feed, plus a last line without one.
    public var records = 0
    /// Words, as the tokenizer finds them in the output (a replaced joined
    /// word may read as one word: `Smith's` split and replaced as `Jones't`).
    public var words = 0
    public var bytes = 0

    public init() {}

    public static func += (lhs: inout OutputCounts, rhs: OutputCounts) {
        lhs.records += rhs.records
        lhs.words += rhs.words
        lhs.bytes += rhs.bytes
    }
}

/// Passes bytes on to another sink and counts them (`OutputCounts`).
///
/// Words never contain ASCII whitespace, and a joiner joins only word
/// characters, so the bytes up to the last space, tab, CR or LF of what was
/// written can be tokenized at once; the rest waits for the next write.
public final class CountingSink: OutputSink {
    let base: any OutputSink
    public private(set) var counts = OutputCounts()
    /// Bytes after the last whitespace written so far, not tokenized yet.
    private var pending: [UInt8] = []
    private var lastByte: UInt8?

    public init(_ base: any OutputSink) {
        self.base = base
    }

    public func write(_ bytes: [UInt8]) throws(PipelineError) {
        try base.write(bytes)
        guard let last = bytes.last else { return }
        counts.bytes += bytes.count
        counts.records += bytes.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        lastByte = last
        if let cut = bytes.lastIndex(where: { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) {
            countWords(in: pending + bytes[...cut])
            pending = Array(bytes[(cut + 1)...])
        } else {
            pending += bytes
        }
    }

    public func finish() throws(PipelineError) {
        countWords(in: pending)
        pending = []
        if let lastByte, lastByte != 0x0A { counts.records += 1 }
        try base.finish()
    }

    public func abandon() { base.abandon() }

    private func countWords(in bytes: [UInt8]) {
        counts.words += bytes.withUnsafeBufferPointer { WordTokenizer.spans(in: $0).count }
    }
}
