import Foundation

/// Reads embeddings published as text: GloVe or word2vec.
///
/// - GloVe: one word per line, `word v1 … vD`, no header; D is taken from
///   the first line.
/// - word2vec text: a first line `V D` (two integers), then lines as GloVe.
///
/// The format is detected from the first non-blank line: exactly two fields
/// that are both positive integers mean a word2vec header. Fields are
/// separated by spaces or tabs; blank lines are skipped. Numbers are parsed
/// with correct rounding to float32.
///
/// Errors name the file and line: a row with the wrong number of fields,
/// a value that is not a finite number, a word that is not UTF-8, a
/// duplicate word, or a word2vec header whose counts the file contradicts.
public enum TextEmbeddingImporter {
    public enum Format: String, Sendable, CaseIterable {
        case glove, word2vec
    }

    /// What an import produced.
    public struct Result: Sendable {
        public let store: EmbeddingStore
        public let format: Format
    }

    public static func load(from path: String, metadata: EmbeddingStore.Metadata = .init()) throws -> Result {
        var reader: LineReader
        do { reader = try LineReader(path: path) } catch let error as LineReaderError {
            throw EmbeddingStoreError.unreadable(path: path, reason: error.reason)
        }
        var format = Format.glove
        var declaredCount: Int?
        var dimension: Int?
        var words: [String] = []
        var vectors: [Float] = []
        var lineOfRow: [Int] = []

        while let line = try nextLine(&reader) {
            let fields = split(line)
            guard !fields.isEmpty else { continue }
            let number = reader.lineNumber
            func fail(_ detail: String) -> EmbeddingStoreError {
                .malformedText(path: path, line: number, detail: detail)
            }

            if dimension == nil {
                if fields.count == 2, let count = positiveInteger(fields[0]), let size = positiveInteger(fields[1]) {
                    format = .word2vec
                    declaredCount = count
                    dimension = size
                    continue
                }
                guard fields.count >= 2 else {
                    throw fail("expected a word followed by its vector components, found one field")
                }
                dimension = fields.count - 1
            }
            let size = dimension!
            guard fields.count == size + 1 else {
                throw fail("expected a word and \(size) numbers (as on the first row), found \(fields.count) fields")
            }
            guard let word = String(validating: fields[0], as: UTF8.self) else {
                throw fail("the word is not valid UTF-8")
            }
            for column in 1...size {
                guard let value = parseFloat(fields[column]), value.isFinite else {
                    let text = String(decoding: fields[column].prefix(40), as: UTF8.self)
                    throw fail("value \(column) of '\(word)' is not a finite number: '\(text)'")
                }
                vectors.append(value)
            }
            words.append(word)
            lineOfRow.append(number)
        }

        guard let size = dimension, !words.isEmpty else {
            throw EmbeddingStoreError.malformedText(path: path, line: reader.lineNumber, detail: "no embeddings found")
        }
        if let declared = declaredCount, declared != words.count {
            throw EmbeddingStoreError.malformedText(
                path: path, line: reader.lineNumber,
                detail: "the word2vec header declares \(declared) words but the file has \(words.count)")
        }
        do {
            let store = try EmbeddingStore(words: words, vectors: vectors, dimension: size, metadata: metadata, origin: path)
            return Result(store: store, format: format)
        } catch EmbeddingStoreError.duplicateWord(_, let word, let firstRow, let secondRow) {
            throw EmbeddingStoreError.malformedText(
                path: path, line: lineOfRow[secondRow - 1],
                detail: "word '\(word)' was already defined on line \(lineOfRow[firstRow - 1]); words must be unique")
        }
    }

    private static func nextLine(_ reader: inout LineReader) throws -> ArraySlice<UInt8>? {
        do { return try reader.next() } catch let error as LineReaderError {
            throw EmbeddingStoreError.unreadable(path: error.path, reason: error.reason)
        }
    }

    /// Splits on runs of spaces and tabs.
    private static func split(_ line: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        line.split(whereSeparator: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") })
    }

    private static func positiveInteger(_ field: ArraySlice<UInt8>) -> Int? {
        guard field.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
              let value = Int(String(decoding: field, as: UTF8.self)), value > 0 else { return nil }
        return value
    }

    /// Parses a decimal number, correctly rounded to float32 (C `strtof`);
    /// nil unless the whole field is one number.
    private static func parseFloat(_ field: ArraySlice<UInt8>) -> Float? {
        guard field.count < 64 else { return nil }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: field.count + 1) { text in
            var length = 0
            for byte in field { text[length] = CChar(bitPattern: byte); length += 1 }
            text[length] = 0
            var end: UnsafeMutablePointer<CChar>? = nil
            errno = 0
            let value = strtof(text.baseAddress!, &end)
            guard length > 0, end == text.baseAddress! + length else { return nil }
            return value
        }
    }
}
