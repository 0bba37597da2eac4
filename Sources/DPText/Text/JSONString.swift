/// Writes Swift strings as JSON string literals.
public enum JSONString {
    /// `string` as a JSON string literal, quotes included, in UTF-8.
    ///
    /// Escapes only what RFC 8259 requires: `"`, `\` and U+0000–U+001F
    /// (as `\b \t \n \f \r`, else `\u00XX` in lowercase hex). Everything else,
    /// `/`, DEL, non-ASCII and U+2028/U+2029 included, stays raw UTF-8. A
    /// Swift `String` holds no lone surrogates, so the result is always valid.
    public static func encode(_ string: String) -> [UInt8] {
        var output: [UInt8] = []
        encode(string, into: &output)
        return output
    }

    /// Appends `string` as a JSON string literal to `output`.
    public static func encode(_ string: String, into output: inout [UInt8]) {
        var string = string
        string.withUTF8 { utf8 in
            output.reserveCapacity(output.count + utf8.count + 2)
            output.append(quote)
            var runStart = 0
            for i in utf8.indices {
                let byte = utf8[i]
                guard byte < 0x20 || byte == quote || byte == backslash else { continue }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<i]))
                runStart = i + 1
                output.append(backslash)
                switch byte {
                case quote, backslash: output.append(byte)
                case 0x08: output.append(ascii("b"))
                case 0x09: output.append(ascii("t"))
                case 0x0A: output.append(ascii("n"))
                case 0x0C: output.append(ascii("f"))
                case 0x0D: output.append(ascii("r"))
                default:
                    let digits: StaticString = "0123456789abcdef"
                    output.append(contentsOf: [ascii("u"), ascii("0"), ascii("0"),
                                               digits.utf8Start[Int(byte >> 4)], digits.utf8Start[Int(byte & 0xF)]])
                }
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
            output.append(quote)
        }
    }
}

extension JSONScanner {
    /// Scans a string literal from its opening quote; returns whether it
    /// contains escapes. Validates escapes (surrogates must pair) and UTF-8.
    mutating func scanString() throws(JSONLineError) -> Bool {
        let start = offset
        offset += 1
        var escaped = false
        while offset < bytes.count {
            let byte = bytes[offset]
            if byte >= 0x20, byte < 0x80, byte != quote, byte != backslash {
                offset += 1
                continue
            }
            switch byte {
            case quote:
                offset += 1
                return escaped
            case backslash:
                escaped = true
                try scanEscape()
            case ..<0x20:
                throw fail("unescaped control character U+00\(Self.hex(byte).dropFirst(2)) in a string")
            default:
                try scanUTF8()
            }
        }
        throw fail("unterminated string (opened at byte \(start))")
    }

    private mutating func scanEscape() throws(JSONLineError) {
        let start = offset
        guard offset + 1 < bytes.count else { throw fail("unterminated string", at: bytes.count) }
        switch bytes[offset + 1] {
        case quote, backslash, ascii("/"), ascii("b"), ascii("f"), ascii("n"), ascii("r"), ascii("t"):
            offset += 2
        case ascii("u"):
            let unit = try unicodeEscape(at: start)
            offset += 6
            if (0xDC00...0xDFFF).contains(unit) {
                throw fail("lone low surrogate \(text(start..<start + 6))", at: start)
            }
            guard (0xD800...0xDBFF).contains(unit) else { return }
            guard offset + 1 < bytes.count, bytes[offset] == backslash, bytes[offset + 1] == ascii("u"),
                  (0xDC00...0xDFFF).contains(try unicodeEscape(at: offset)) else {
                throw fail("lone high surrogate \(text(start..<start + 6)) (not followed by a \\uDC00-\\uDFFF escape)",
                           at: start)
            }
            offset += 6
        default:
            throw fail("invalid escape: backslash followed by \(describe(offset + 1))", at: start)
        }
    }

    /// The code unit of the `\uXXXX` escape starting at `i`.
    private func unicodeEscape(at i: Int) throws(JSONLineError) -> UInt32 {
        guard let unit = unicodeEscapeValue(at: i) else {
            throw fail("invalid \\u escape (expected 4 hex digits)", at: i)
        }
        return unit
    }

    private func unicodeEscapeValue(at i: Int) -> UInt32? {
        guard i + 6 <= bytes.count else { return nil }
        var unit: UInt32 = 0
        for byte in bytes[(i + 2)..<(i + 6)] {
            let digit: UInt8
            switch byte {
            case ascii("0")...ascii("9"): digit = byte - ascii("0")
            case ascii("a")...ascii("f"): digit = byte - ascii("a") + 10
            case ascii("A")...ascii("F"): digit = byte - ascii("A") + 10
            default: return nil
            }
            unit = unit << 4 | UInt32(digit)
        }
        return unit
    }

    /// One multi-byte UTF-8 character (Unicode Table 3-7: no overlongs,
    /// no encoded surrogates, nothing above U+10FFFF).
    private mutating func scanUTF8() throws(JSONLineError) {
        let lead = bytes[offset]
        var count = 2
        var (low, high): (UInt8, UInt8) = (0x80, 0xBF)
        switch lead {
        case 0xC2...0xDF: count = 1
        case 0xE0: low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: break
        case 0xED: high = 0x9F
        case 0xF0: count = 3; low = 0x90
        case 0xF1...0xF3: count = 3
        case 0xF4: count = 3; high = 0x8F
        default: throw fail("invalid UTF-8 in a string (byte \(Self.hex(lead)) cannot start a character)")
        }
        for k in 1...count {
            let i = offset + k
            guard i < bytes.count, k == 1 ? (low...high).contains(bytes[i]) : bytes[i] & 0xC0 == 0x80 else {
                throw fail("invalid UTF-8 in a string (malformed sequence starting with byte \(Self.hex(lead)))")
            }
        }
        offset += count + 1
    }

    /// The decoded UTF-8 of a validated string's content (between the quotes).
    func decode(_ content: Range<Int>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(content.count)
        var i = content.lowerBound
        while i < content.upperBound {
            var runEnd = i
            while runEnd < content.upperBound, bytes[runEnd] != backslash { runEnd += 1 }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[i..<runEnd]))
            guard runEnd < content.upperBound else { break }
            let escape = bytes[runEnd + 1]
            i = runEnd + 2
            switch escape {
            case ascii("b"): output.append(0x08)
            case ascii("f"): output.append(0x0C)
            case ascii("n"): output.append(0x0A)
            case ascii("r"): output.append(0x0D)
            case ascii("t"): output.append(0x09)
            case ascii("u"):
                var scalar = unicodeEscapeValue(at: runEnd)!
                i = runEnd + 6
                if (0xD800...0xDBFF).contains(scalar) {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (unicodeEscapeValue(at: i)! - 0xDC00)
                    i += 6
                }
                UTF8.encode(Unicode.Scalar(scalar)!) { output.append($0) }
            default: output.append(escape)  // \" \\ \/
            }
        }
        return output
    }

    /// Whether a validated string's content decodes to exactly `other`'s bytes.
    func stringEquals(_ content: Range<Int>, escaped: Bool, _ other: UnsafeBufferPointer<UInt8>) -> Bool {
        guard content.count >= other.count else { return false }  // Decoding never lengthens.
        guard escaped else {
            return content.count == other.count && UnsafeBufferPointer(rebasing: bytes[content]).elementsEqual(other)
        }
        return decode(content).elementsEqual(other)
    }

    /// Validated ASCII bytes as text, for error messages.
    private func text(_ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }
}

private var quote: UInt8 { 0x22 }
private var backslash: UInt8 { 0x5C }
@inline(__always) private func ascii(_ scalar: Unicode.Scalar) -> UInt8 { UInt8(ascii: scalar) }
