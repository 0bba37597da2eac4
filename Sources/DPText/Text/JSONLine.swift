/// Finds one top-level string field in a JSONL record without re-serializing it.
///
/// dptext rewrites a single field's value and must leave every other byte of
/// the line as it was, so it validates the raw bytes and returns the byte
/// range of the value; the caller splices in `JSONString.encode(newValue)`.
///
/// Grammar decisions (RFC 8259, strictly):
/// - The line is exactly one JSON object, optionally surrounded by JSON
///   whitespace (space, tab, LF, CR). Anything after the object is an error.
///   A UTF-8 byte-order mark is an error.
/// - Every nested value is validated: numbers follow the RFC grammar (no
///   leading zeros, `+`, `.5`, `1.`, NaN or Infinity), literals are exactly
///   `true`, `false`, `null`, no trailing commas, no single quotes or comments.
/// - Strings: control characters U+0000–U+001F must be escaped; the escapes
///   are `\" \\ \/ \b \f \n \r \t \uXXXX`; a `\u` surrogate must be a
///   high/low pair (a lone surrogate is an error, though the RFC tolerates
///   it, because it cannot be a Swift `String`); raw bytes must be valid
///   UTF-8 (no overlongs, no encoded surrogates, nothing above U+10FFFF).
/// - Containers nest at most `maxDepth` deep (counting the record itself);
///   deeper input is an error, never a stack overflow (the scan is iterative).
/// - Keys are compared by decoded value, byte for byte (so `"te\u0078t"` is
///   `text`, but no Unicode normalization: precomposed `é` is not `e`+U+0301).
///   Only top-level keys are considered; a `"text"` key in a nested object
///   is ordinary data. Other duplicate keys are allowed, as the RFC allows.
/// - Syntax errors take precedence: `notAnObject`, `missingField`,
///   `fieldNotAString` and `duplicateField` are only reported for lines that
///   are otherwise valid JSON.
public enum JSONLine {
    /// The deepest nesting of objects and arrays accepted, the record included.
    public static let maxDepth = 512

    /// Validates that `line` (one JSONL record, without its line terminator)
    /// is exactly one JSON object and locates its top-level member `field`.
    ///
    /// - Parameter requireString: when true (the default) a non-string value
    ///   is `fieldNotAString`; when false it is returned with `value == nil`.
    public static func locate(
        field: String, in line: ArraySlice<UInt8>, requireString: Bool = true
    ) throws(JSONLineError) -> FieldLocation {
        var utf8Field = field
        let result = utf8Field.withUTF8 { name in
            line.withUnsafeBufferPointer { bytes in
                Result { () throws(JSONLineError) -> FieldLocation in
                    var scanner = JSONScanner(bytes)
                    return try scanner.locate(field: name, fieldName: field, requireString: requireString)
                }
            }
        }
        let location = try result.get()
        let base = line.startIndex
        return FieldLocation(
            valueRange: (base + location.valueRange.lowerBound)..<(base + location.valueRange.upperBound),
            value: location.value)
    }
}

/// Where a field's value is in a line, and what it says.
public struct FieldLocation: Equatable, Sendable {
    /// The value token's bytes, quotes included, as indices of the line
    /// passed to `locate` (an `ArraySlice` keeps its parent's indices).
    public let valueRange: Range<Int>
    /// The decoded string when the value is a JSON string, else nil.
    public let value: String?
}

/// Why a JSONL record could not be used. Offsets are 0-based byte offsets
/// within the line; the caller adds the file name and line number.
public enum JSONLineError: Error, Equatable, CustomStringConvertible {
    /// Not valid JSON: `offset` is where the problem was detected.
    case invalidJSON(offset: Int, reason: String)
    /// Valid JSON, but not an object (an array, string, number, …).
    case notAnObject
    /// The object has no top-level member with this name.
    case missingField(String)
    /// The member exists but is not a string; `found` is "number", "null",
    /// "boolean", "object" or "array".
    case fieldNotAString(String, found: String)
    /// The member appears more than once, so which to rewrite is ambiguous.
    case duplicateField(String)

    public var description: String {
        switch self {
        case .invalidJSON(let offset, let reason):
            return "invalid JSON at byte offset \(offset): \(reason)"
        case .notAnObject:
            return "the record is valid JSON but not an object; each line must be one JSON object"
        case .missingField(let name):
            return "the record has no top-level field \(quoted(name))"
        case .fieldNotAString(let name, let found):
            let article = found == "null" ? "" : found == "array" || found == "object" ? "an " : "a "
            return "field \(quoted(name)) is \(article)\(found), not a string"
        case .duplicateField(let name):
            return "field \(quoted(name)) appears more than once at the top level, so which to rewrite is ambiguous"
        }
    }

    private func quoted(_ name: String) -> String {
        String(decoding: JSONString.encode(name), as: UTF8.self)
    }
}
