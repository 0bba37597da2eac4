/// Finds the words of a UTF-8 text; every other byte is left to pass through.
///
/// What counts as a word:
/// - a maximal run of word characters: letters, combining marks and digits
///   (ASCII, or Unicode scalars that are alphabetic, marks or decimal digits),
///   so `café` (also with a combining accent), `Zürich`, `日本語`, `1776` and
///   `mp3` are words;
/// - runs joined by a single hyphen or apostrophe (`-`, `'`, `’`) with word
///   characters on both sides form one candidate word: `well-known`,
///   `o'clock`, `don't`. When the vocabulary lacks the joined form, its parts
///   are separate words and the joiners pass through (`Smith's` → `Smith`,
///   `'`, `s`);
/// - everything else — whitespace, line ends, punctuation, symbols, emoji,
///   the `.` and `,` inside numbers, and bytes that are not valid UTF-8 —
///   is not part of any word and comes out exactly as it went in.
public enum WordTokenizer {
    /// A candidate word: its byte range and the ranges of its joined parts
    /// (a single part when it has no joiner).
    public struct Span: Equatable, Sendable {
        public let range: Range<Int>
        /// The parts of a joined word; empty for a single part (the common
        /// case, kept free of allocation).
        let joinedParts: [Range<Int>]

        /// The joined parts, or the whole range when there is no joiner.
        public var parts: [Range<Int>] { joinedParts.isEmpty ? [range] : joinedParts }
        public var isJoined: Bool { !joinedParts.isEmpty }
    }

    /// The candidate words of `text`, in order.
    public static func spans(in text: UnsafeBufferPointer<UInt8>) -> [Span] {
        var spans: [Span] = []
        var position = 0
        while position < text.count {
            guard let first = wordCharacter(in: text, at: position) else {
                position += scalarLength(in: text, at: position)
                continue
            }
            var parts: [Range<Int>] = []
            var partStart = position
            var end = position + first
            while true {
                while end < text.count, let length = wordCharacter(in: text, at: end) { end += length }
                // A joiner continues the word only if a word character follows it.
                guard end < text.count, let joiner = joinerLength(in: text, at: end),
                      end + joiner < text.count, let next = wordCharacter(in: text, at: end + joiner)
                else { break }
                parts.append(partStart..<end)
                partStart = end + joiner
                end = partStart + next
            }
            if !parts.isEmpty { parts.append(partStart..<end) }
            spans.append(Span(range: position..<end, joinedParts: parts))
            position = end
        }
        return spans
    }

    /// Length of the word character at `index`, or nil when there is none.
    @inline(__always)
    static func wordCharacter(in text: UnsafeBufferPointer<UInt8>, at index: Int) -> Int? {
        let byte = text[index]
        if byte < 0x80 {
            let isLetter = (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A
            let isDigit = byte >= 0x30 && byte <= 0x39
            return isLetter || isDigit ? 1 : nil
        }
        guard let (scalar, length) = decodeScalar(in: text, at: index) else { return nil }
        let properties = scalar.properties
        switch properties.generalCategory {
        case .decimalNumber, .nonspacingMark, .spacingMark, .enclosingMark: return length
        default: return properties.isAlphabetic ? length : nil
        }
    }

    /// Length of a joiner (`-`, `'`, `’`) at `index`, or nil.
    @inline(__always)
    static func joinerLength(in text: UnsafeBufferPointer<UInt8>, at index: Int) -> Int? {
        switch text[index] {
        case UInt8(ascii: "-"), UInt8(ascii: "'"): return 1
        case 0xE2 where index + 2 < text.count && text[index + 1] == 0x80 && text[index + 2] == 0x99: return 3
        default: return nil
        }
    }

    /// The number of maximal runs of bytes that are not valid UTF-8 in
    /// `text` (they pass through unchanged, so they are counted as unprotected).
    public static func undecodableRuns(in text: UnsafeBufferPointer<UInt8>) -> Int {
        var runs = 0, position = 0, inRun = false
        while position < text.count {
            if text[position] < 0x80 {
                inRun = false
                position += 1
            } else if let (_, length) = decodeScalar(in: text, at: position) {
                inRun = false
                position += length
            } else {
                if !inRun { runs += 1 }
                inRun = true
                position += 1
            }
        }
        return runs
    }

    /// Bytes to skip at `index`: a whole scalar, or one byte of invalid UTF-8.
    @inline(__always)
    static func scalarLength(in text: UnsafeBufferPointer<UInt8>, at index: Int) -> Int {
        text[index] < 0x80 ? 1 : decodeScalar(in: text, at: index)?.length ?? 1
    }

    /// Decodes the UTF-8 scalar starting at `index`; nil for invalid UTF-8
    /// (bad lead byte, missing or bad continuation, overlong, surrogate, > U+10FFFF).
    static func decodeScalar(in text: UnsafeBufferPointer<UInt8>, at index: Int) -> (Unicode.Scalar, length: Int)? {
        let lead = text[index]
        let length: Int, initial: UInt32, minimum: UInt32
        switch lead {
        case 0xC2...0xDF: (length, initial, minimum) = (2, UInt32(lead & 0x1F), 0x80)
        case 0xE0...0xEF: (length, initial, minimum) = (3, UInt32(lead & 0x0F), 0x800)
        case 0xF0...0xF4: (length, initial, minimum) = (4, UInt32(lead & 0x07), 0x10000)
        default: return nil
        }
        guard index + length <= text.count else { return nil }
        var value = initial
        for offset in 1..<length {
            let byte = text[index + offset]
            guard byte & 0xC0 == 0x80 else { return nil }
            value = value << 6 | UInt32(byte & 0x3F)
        }
        guard value >= minimum, let scalar = Unicode.Scalar(value) else { return nil }
        return (scalar, length)
    }
}

extension WordTokenizer {
    /// Whether `word` is exactly one word as the tokenizer finds them
    /// (`privacy`, `well-known`, `1776`), as opposed to punctuation, symbols
    /// or several words (`,`, `'s`, `1,000`, `...`).
    public static func isSingleWord(_ word: String) -> Bool {
        var bytes = Array(word.utf8)
        return bytes.withUnsafeMutableBufferPointer { buffer in
            let spans = spans(in: UnsafeBufferPointer(buffer))
            return spans.count == 1 && spans[0].range == 0..<buffer.count
        }
    }

    /// The part of `store` that text can be rewritten with: the entries that
    /// are single words. Punctuation and symbol entries (GloVe has `,` `.`
    /// `'s` `(` …) can never be read from text as a word, and writing one in
    /// place of a word would change the text's layout, so they are neither
    /// inputs nor outputs. The choice depends only on the public vocabulary.
    public static func wordVocabulary(of store: EmbeddingStore) throws -> EmbeddingStore {
        try store.subset(where: isSingleWord)
    }

}
