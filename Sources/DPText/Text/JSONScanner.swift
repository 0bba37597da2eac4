/// The kinds of JSON value, named as in `JSONLineError.fieldNotAString`.
enum JSONValueKind: String {
    case object, array, string, number, boolean, null
}

/// A validating cursor over one line's bytes (see `JSONLine` for the grammar).
///
/// Offsets are 0-based into `bytes`. Every `scan…` method starts at the first
/// byte of its token and leaves `offset` just past it, or throws
/// `.invalidJSON` with the offset where the problem was detected.
struct JSONScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    var offset = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    // MARK: The record

    /// Validates the whole line as one object and finds top-level `field`
    /// (offsets into `bytes`).
    mutating func locate(
        field: UnsafeBufferPointer<UInt8>, fieldName: @autoclosure () -> String, requireString: Bool
    ) throws(JSONLineError) -> FieldLocation {
        skipWhitespace()
        guard offset < bytes.count, bytes[offset] == ascii("{") else {
            if offset == 0, bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
                throw fail("unexpected byte-order mark (BOM); write the file as UTF-8 without a BOM")
            }
            guard offset < bytes.count else { throw fail("expected a JSON object, found end of line") }
            _ = try scanValue(depth: 0)  // Syntax errors win over `notAnObject`.
            try expectEnd()
            throw .notAnObject
        }
        offset += 1
        var found: (range: Range<Int>, kind: JSONValueKind, escaped: Bool)?
        var duplicate = false
        skipWhitespace()
        if offset < bytes.count, bytes[offset] == ascii("}") {
            offset += 1
        } else {
            while true {
                let key = try scanKeyAndColon()
                let matches = stringEquals(key.content, escaped: key.escaped, field)
                skipWhitespace()
                let valueStart = offset
                var escaped = false
                let kind = try scanValue(depth: 1, escaped: &escaped)
                if matches {
                    if found == nil { found = (valueStart..<offset, kind, escaped) } else { duplicate = true }
                }
                skipWhitespace()
                guard offset < bytes.count else { throw fail("expected ',' or '}' after a member, found end of line") }
                if bytes[offset] == ascii(",") { offset += 1; continue }
                if bytes[offset] == ascii("}") { offset += 1; break }
                throw unexpected("',' or '}' after a member")
            }
        }
        try expectEnd()
        if duplicate { throw .duplicateField(fieldName()) }
        guard let found else { throw .missingField(fieldName()) }
        guard found.kind == .string else {
            if requireString { throw .fieldNotAString(fieldName(), found: found.kind.rawValue) }
            return FieldLocation(valueRange: found.range, value: nil)
        }
        let content = (found.range.lowerBound + 1)..<(found.range.upperBound - 1)
        let value = found.escaped
            ? String(decoding: decode(content), as: UTF8.self)
            : String(decoding: UnsafeBufferPointer(rebasing: bytes[content]), as: UTF8.self)
        return FieldLocation(valueRange: found.range, value: value)
    }

    /// Scans `"key" :` (leading whitespace allowed); returns the key's bytes
    /// between the quotes and whether they contain escapes.
    @discardableResult
    mutating func scanKeyAndColon() throws(JSONLineError) -> (content: Range<Int>, escaped: Bool) {
        skipWhitespace()
        guard offset < bytes.count, bytes[offset] == ascii("\"") else {
            throw unexpected("a string key")
        }
        let start = offset
        let escaped = try scanString()
        let content = (start + 1)..<(offset - 1)
        skipWhitespace()
        guard offset < bytes.count, bytes[offset] == ascii(":") else { throw unexpected("':' after a key") }
        offset += 1
        return (content, escaped)
    }

    /// Fails unless only whitespace remains.
    mutating func expectEnd() throws(JSONLineError) {
        skipWhitespace()
        if offset < bytes.count { throw fail("unexpected \(describe(offset)) after the end of the JSON value") }
    }

    // MARK: Values

    /// Validates one complete value (leading whitespace allowed) inside
    /// `depth` open containers, iteratively, and returns its kind.
    mutating func scanValue(depth: Int) throws(JSONLineError) -> JSONValueKind {
        var escaped = false
        return try scanValue(depth: depth, escaped: &escaped)
    }

    /// As `scanValue(depth:)`; `escaped` is set when the value is a string with escapes.
    mutating func scanValue(depth: Int, escaped: inout Bool) throws(JSONLineError) -> JSONValueKind {
        var stack = JSONContainerStack()
        var kind: JSONValueKind?
        nextValue: while true {
            skipWhitespace()
            guard offset < bytes.count else { throw fail("expected a value, found end of line") }
            let valueKind: JSONValueKind
            switch bytes[offset] {
            case ascii("{"), ascii("["):
                let isObject = bytes[offset] == ascii("{")
                guard depth + stack.depth < JSONLine.maxDepth else {
                    throw fail("nesting deeper than \(JSONLine.maxDepth) levels")
                }
                offset += 1
                skipWhitespace()
                if offset < bytes.count, bytes[offset] == (isObject ? ascii("}") : ascii("]")) {
                    offset += 1
                    valueKind = isObject ? .object : .array
                } else {
                    if kind == nil { kind = isObject ? .object : .array }
                    stack.push(isObject: isObject)
                    if isObject { try scanKeyAndColon() }
                    continue nextValue
                }
            case ascii("\""):
                let hasEscapes = try scanString()
                if kind == nil { escaped = hasEscapes }
                valueKind = .string
            case ascii("t"): try scanLiteral("true"); valueKind = .boolean
            case ascii("f"): try scanLiteral("false"); valueKind = .boolean
            case ascii("n"): try scanLiteral("null"); valueKind = .null
            case ascii("-"), ascii("0")...ascii("9"): try scanNumber(); valueKind = .number
            default: throw unexpected("a value")
            }
            if kind == nil { kind = valueKind }
            // After a value: close finished containers, or go on to the next element.
            while stack.depth > 0 {
                skipWhitespace()
                let close = stack.topIsObject ? ascii("}") : ascii("]")
                guard offset < bytes.count else {
                    throw fail("expected ',' or '\(Character(Unicode.Scalar(close)))', found end of line")
                }
                if bytes[offset] == ascii(",") {
                    offset += 1
                    if stack.topIsObject { try scanKeyAndColon() }
                    continue nextValue
                }
                guard bytes[offset] == close else {
                    throw unexpected("',' or '\(Character(Unicode.Scalar(close)))'")
                }
                offset += 1
                stack.pop()
            }
            return kind!
        }
    }

    /// `true`, `false` or `null`; fails at the first byte that differs.
    mutating func scanLiteral(_ word: StaticString) throws(JSONLineError) {
        let start = offset
        for i in 0..<word.utf8CodeUnitCount {
            guard offset < bytes.count, bytes[offset] == word.utf8Start[i] else {
                throw fail("invalid literal starting at byte \(start) (expected '\(word)')")
            }
            offset += 1
        }
    }

    /// `-? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?` — the caller
    /// checks what follows, so `1x` fails there.
    mutating func scanNumber() throws(JSONLineError) {
        if bytes[offset] == ascii("-") { offset += 1 }
        guard isDigit(at: offset) else { throw fail("expected a digit after '-'") }
        if bytes[offset] == ascii("0") {
            offset += 1
            if isDigit(at: offset) { throw fail("leading zeros are not allowed in numbers") }
        } else {
            skipDigits()
        }
        if offset < bytes.count, bytes[offset] == ascii(".") {
            offset += 1
            guard isDigit(at: offset) else { throw fail("expected a digit after '.' in a number") }
            skipDigits()
        }
        if offset < bytes.count, bytes[offset] | 0x20 == ascii("e") {
            offset += 1
            if offset < bytes.count, bytes[offset] == ascii("+") || bytes[offset] == ascii("-") { offset += 1 }
            guard isDigit(at: offset) else { throw fail("expected a digit in the number's exponent") }
            skipDigits()
        }
    }

    // MARK: Bytes

    mutating func skipWhitespace() {
        while offset < bytes.count {
            switch bytes[offset] {
            case 0x20, 0x0A, 0x0D, 0x09: offset += 1
            default: return
            }
        }
    }

    private func isDigit(at i: Int) -> Bool {
        i < bytes.count && bytes[i] &- ascii("0") < 10
    }

    private mutating func skipDigits() {
        while isDigit(at: offset) { offset += 1 }
    }

    func fail(_ reason: String, at position: Int? = nil) -> JSONLineError {
        .invalidJSON(offset: position ?? offset, reason: reason)
    }

    func unexpected(_ expected: String) -> JSONLineError {
        var reason = "expected \(expected), found \(describe(offset))"
        if offset < bytes.count, bytes[offset] == ascii("'") { reason += " (JSON strings use double quotes)" }
        return fail(reason)
    }

    /// The byte at `i` for an error message: `'x'`, `byte 0xNN` or `end of line`.
    func describe(_ i: Int) -> String {
        guard i < bytes.count else { return "end of line" }
        let byte = bytes[i]
        if byte > 0x20, byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "byte " + Self.hex(byte)
    }
}

/// Which containers are open: bit i of `low` is set when level i is an
/// object; levels past 64 spill into an array (only for deep input).
struct JSONContainerStack {
    private var low: UInt64 = 0
    private var high: [Bool] = []
    private(set) var depth = 0

    mutating func push(isObject: Bool) {
        if depth < 64 {
            low = isObject ? low | (1 << depth) : low & ~(1 << depth)
        } else {
            high.append(isObject)
        }
        depth += 1
    }

    var topIsObject: Bool {
        depth <= 64 ? low & (1 << (depth - 1)) != 0 : high[depth - 65]
    }

    mutating func pop() {
        depth -= 1
        if depth >= 64 { high.removeLast() }
    }
}

extension JSONScanner {
    /// `0xNN`, uppercase, for error messages.
    static func hex(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16, uppercase: true)
        return "0x" + (digits.count == 1 ? "0" + digits : digits)
    }
}

@inline(__always) private func ascii(_ scalar: Unicode.Scalar) -> UInt8 { UInt8(ascii: scalar) }
