import Foundation
import Testing
@testable import DPText

/// `locate` on a line given as text.
private func locate(_ line: String, field: String = "text", requireString: Bool = true) throws(JSONLineError)
    -> FieldLocation {
    try JSONLine.locate(field: field, in: Array(line.utf8)[...], requireString: requireString)
}

/// The error `locate` throws for `line` (raw bytes), or nil.
private func error(_ line: [UInt8], field: String = "text") -> JSONLineError? {
    do { _ = try JSONLine.locate(field: field, in: line[...]); return nil } catch { return error }
}

private func error(_ line: String, field: String = "text") -> JSONLineError? {
    error(Array(line.utf8), field: field)
}

/// The offset of an `invalidJSON` error, or nil for anything else.
private func invalidOffset(_ line: [UInt8]) -> Int? {
    if case .invalidJSON(let offset, _)? = error(line) { return offset }
    return nil
}

private func invalidOffset(_ line: String) -> Int? { invalidOffset(Array(line.utf8)) }

/// The value's bytes as text.
private func token(_ line: String, _ location: FieldLocation) -> String {
    String(decoding: Array(line.utf8)[location.valueRange], as: UTF8.self)
}

private func jsonObject(_ bytes: [UInt8]) throws -> NSDictionary {
    try #require(JSONSerialization.jsonObject(with: Data(bytes)) as? NSDictionary)
}

@Suite("JSONLine: locating and rewriting a field")
struct JSONLineTests {
    @Test(arguments: [
        (#"{"text":"hi","id":1}"#, #""hi""#),
        (#"{"id":1,"text":"hi","tags":["a"]}"#, #""hi""#),
        (#"{"id":1,"meta":{"x":[1,2,{"y":null}]},"text":"hi"}"#, #""hi""#),
        ("\t {\r\n\"text\"\t:\n\"hi\" ,\"n\" : -0.5e+3 } \r", #""hi""#),
        (#"{"text":""}"#, #""""#),
    ])
    func findsTheFieldFirstMiddleOrLastWithAnyWhitespace(line: String, expected: String) throws {
        let location = try locate(line)
        #expect(token(line, location) == expected)
        #expect(location.value == String(expected.dropFirst().dropLast()))
    }

    @Test func ignoresTheFieldNameInNestedObjectsAndArrays() throws {
        let line = #"{"meta":{"text":"no","deeper":[{"text":"no"}]},"list":[{"text":"no"}],"text":"yes"}"#
        #expect(try locate(line).value == "yes")
        #expect(error(#"{"meta":{"text":"no"},"list":[{"text":"no"}]}"#) == .missingField("text"))
        #expect(try locate(#"{"text":"yes","a":{"text":1,"b":{"text":[]}}}"#).value == "yes")
    }

    @Test func decodesEscapesInTheValue() throws {
        let line = #"{"text":"a\"b\\c\/d\be\ff\ng\rh\ti\u0000j\u00e9\u20AC\ud83d\ude00"}"#
        #expect(try locate(line).value == "a\"b\\c/d\u{8}e\u{c}f\ng\rh\ti\u{0}jé€😀")
        #expect(try locate(#"{"text":"\uD83D\uDE00 and \u2028"}"#).value == "😀 and \u{2028}")
    }

    @Test func keepsRawMultiByteUTF8() throws {
        let line = #"{"text":"héllo 世界 😀 \#u{2028}","x":"ü"}"#
        let location = try locate(line)
        #expect(location.value == "héllo 世界 😀 \u{2028}")
        #expect(token(line, location) == #""héllo 世界 😀 \#u{2028}""#)
    }

    @Test func matchesKeysByTheirDecodedValue() throws {
        #expect(try locate(#"{"te\u0078t":"hi"}"#).value == "hi")
        #expect(try locate(#"{"\u00e9t\u00E9":"summer"}"#, field: "été").value == "summer")
        #expect(try locate(#"{"a\"b":"q"}"#, field: "a\"b").value == "q")
        #expect(error(#"{"Text":"hi"}"#) == .missingField("text"))  // Case-sensitive.
        #expect(error(#"{"texts":"hi","tex":"x"}"#) == .missingField("text"))
        // Byte comparison: no Unicode normalization.
        #expect(error("{\"e\u{301}\":\"x\"}", field: "é") == .missingField("é"))
    }

    @Test func reportsRangesInTheSliceIndexSpace() throws {
        let file = Array("{\"text\":\"a\"}\n{\"id\":2,\"text\":\"bc\"}".utf8)
        let second = file[13...]
        let location = try JSONLine.locate(field: "text", in: second)
        #expect(location.valueRange == 28..<32)
        #expect(String(decoding: file[location.valueRange], as: UTF8.self) == #""bc""#)
        // Error offsets stay relative to the line.
        #expect(throws: JSONLineError.invalidJSON(offset: 1, reason: "expected a string key, found 'x'")) {
            try JSONLine.locate(field: "text", in: Array("{{x".utf8)[1...])
        }
    }

    @Test func returnsNonStringValuesWhenAllowed() throws {
        let location = try locate(#"{"text":null}"#, requireString: false)
        #expect(location.value == nil)
        #expect(location.valueRange == 8..<12)
    }

    @Test(arguments: [
        #"{"id":7,"text":"old","z":[1.5e3,"\u00e9",{"text":"keep"}]}"#,
        " { \"text\" : \"old\\n\" , \"n\":-0,\"e\":\"\\u0041\"}  ",
        #"{"a":"\/","text":"x","b":true}"#,
    ])
    func splicingChangesOnlyTheField(line: String) throws {
        let original = Array(line.utf8)
        let location = try JSONLine.locate(field: "text", in: original[...])
        let replacement = "new \"value\"\n\u{1}\\ é 😀 </script>"
        var spliced = original
        spliced.replaceSubrange(location.valueRange, with: JSONString.encode(replacement))
        // Bytes outside the value are untouched.
        #expect(spliced[..<location.valueRange.lowerBound] == original[..<location.valueRange.lowerBound])
        #expect(spliced.suffix(original.count - location.valueRange.upperBound)
            == original[location.valueRange.upperBound...])
        // A standard parser sees only the field changed.
        let before = try jsonObject(original).mutableCopy() as! NSMutableDictionary
        let after = try jsonObject(spliced).mutableCopy() as! NSMutableDictionary
        #expect(after["text"] as? String == replacement)
        before.removeObject(forKey: "text")
        after.removeObject(forKey: "text")
        #expect(before == after)
        // And the result locates again.
        #expect(try JSONLine.locate(field: "text", in: spliced[...]).value == replacement)
    }

    @Test func encodesOnlyWhatJSONRequires() {
        let encoded = String(decoding: JSONString.encode("a\"b\\c/d\u{0}\u{8}\t\n\u{b}\u{c}\r\u{1f}\u{7f}é😀\u{2028}"),
                             as: UTF8.self)
        #expect(encoded == #""a\"b\\c/d\u0000\b\t\n\u000b\f\r\u001f\#u{7f}é😀\#u{2028}""#)
        #expect(JSONString.encode("") == Array(#""""#.utf8))
        var output = Array("x=".utf8)
        JSONString.encode("y", into: &output)
        #expect(output == Array(#"x="y""#.utf8))
    }
}

@Suite("JSONLine: errors")
struct JSONLineErrorTests {
    @Test(arguments: [
        (#"{"text":"abc"#, 12),  // Unterminated string: at the end of the line.
        (#"{"text":"abc""#, 13),
        (#"{"text":"#, 8),
        (#"{"text""#, 7),
        (#"{"text"#, 6),
        ("{", 1),
        ("{\"a\":[1,2", 9),
        (#"{"a":{"b":1"#, 11),
        ("", 0),
        ("   ", 3),
        (#"{"text":"a\"#, 11),
        (#"{"text":"\u12"}"#, 9),
        (#"{"text":tr"#, 10),
    ])
    func truncatedLines(line: String, offset: Int) {
        #expect(invalidOffset(line) == offset)
    }

    @Test(arguments: [
        (#"{"text":"a",}"#, 12),
        (#"{"a":[1,2,],"text":"x"}"#, 10),
        (#"{"a":{"b":1,},"text":"x"}"#, 12),
        (#"{,"text":"x"}"#, 1),
        (#"{"a":[,1],"text":"x"}"#, 6),
        (#"{"text":"a""b":1}"#, 11),
        (#"{"text" "a"}"#, 8),
    ])
    func missingOrExtraPunctuation(line: String, offset: Int) {
        #expect(invalidOffset(line) == offset)
    }

    @Test func trailingGarbage() {
        #expect(invalidOffset(#"{"text":"a"} x"#) == 13)
        #expect(invalidOffset(#"{"text":"a"}{}"#) == 12)
        #expect(invalidOffset(#"{"text":"a"}}"#) == 12)
        #expect(invalidOffset("[1] 2") == 4)
        #expect(invalidOffset("{\"text\":\"a\"}\u{0}") == 12)
        #expect(invalidOffset([0xEF, 0xBB, 0xBF] + Array(#"{"text":"a"}"#.utf8)) == 0)
        #expect(invalidOffset("// c\n{\"text\":\"a\"}") == 0)
    }

    @Test func singleQuotes() {
        #expect(error("{'text': 'a'}")
            == .invalidJSON(offset: 1, reason: "expected a string key, found ''' (JSON strings use double quotes)"))
        #expect(invalidOffset(#"{"text": 'a'}"#) == 9)
        #expect(invalidOffset(#"{text: "a"}"#) == 1)
    }

    @Test func unescapedControlCharacters() {
        #expect(error("{\"text\":\"a\tb\"}")
            == .invalidJSON(offset: 10, reason: "unescaped control character U+0009 in a string"))
        #expect(invalidOffset("{\"text\":\"\u{0}\"}") == 9)
        #expect(invalidOffset("{\"text\":\"a\nb\"}") == 10)
        #expect(invalidOffset("{\"te\u{1f}xt\":\"a\"}") == 4)
        // DEL is not a control character for JSON.
        #expect(error("{\"text\":\"\u{7f}\"}") == nil)
    }

    @Test(arguments: [
        (#"{"text":"\x"}"#, 9), (#"{"text":"\'"}"#, 9), (#"{"text":"a\U0041"}"#, 10),
        (#"{"text":"\u00G0"}"#, 9), (#"{"text":"\u 123"}"#, 9), (#"{"text":"\ "}"#, 9),
        (#"{"t\e":1}"#, 3), (#"{"a":["\0"],"text":"x"}"#, 7),
    ])
    func badEscapes(line: String, offset: Int) {
        #expect(invalidOffset(line) == offset)
    }

    @Test func loneSurrogates() throws {
        #expect(error(#"{"text":"\ud83d"}"#) == .invalidJSON(
            offset: 9, reason: #"lone high surrogate \ud83d (not followed by a \uDC00-\uDFFF escape)"#))
        #expect(error(#"{"text":"\uDE00"}"#) == .invalidJSON(offset: 9, reason: #"lone low surrogate \uDE00"#))
        #expect(invalidOffset(#"{"text":"a\uD83Dx"}"#) == 10)
        #expect(invalidOffset(#"{"text":"\uD83D\u0041"}"#) == 9)  // High then non-surrogate.
        #expect(invalidOffset(#"{"text":"\uD83D\uD83D\uDE00"}"#) == 9)  // Two highs.
        #expect(invalidOffset(#"{"text":"\uDE00\uD83D"}"#) == 9)  // Reversed pair.
        #expect(invalidOffset(#"{"text":"\uD83D\uZZZZ"}"#) == 15)  // Bad second escape.
        #expect(invalidOffset(#"{"\udc00":1,"text":"x"}"#) == 2)  // In a key.
        #expect(try locate(#"{"text":"\uDBFF\uDFFF"}"#).value == "\u{10FFFF}")
    }

    @Test(arguments: [
        [0x80],  // Lone continuation byte.
        [0xC0, 0x80], [0xC1, 0xBF],  // Overlong two-byte forms.
        [0xE0, 0x80, 0x80], [0xF0, 0x80, 0x80, 0x80],  // Overlong three- and four-byte forms.
        [0xED, 0xA0, 0x80],  // An encoded surrogate (U+D800).
        [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xFF],  // Above U+10FFFF, never valid.
        [0xE2, 0x82], [0xC3],  // Truncated before the closing quote.
        [0xE2, 0x28, 0xA1],  // Bad second byte.
        [0xF0, 0x9F, 0x98, 0x41],  // Bad last byte.
    ] as [[UInt8]])
    func invalidUTF8InStrings(bad: [UInt8]) {
        let line = Array(#"{"text":"ab"#.utf8) + bad + Array(#"cd"}"#.utf8)
        #expect(invalidOffset(line) == 11)
        #expect(invalidOffset(Array(#"{""#.utf8) + bad + Array(#"":1,"text":"x"}"#.utf8)) == 2)
        #expect(invalidOffset(Array(#"{"text":"#.utf8) + bad + [0x7D]) == 8)  // Outside a string.
    }

    @Test func validUTF8Boundaries() throws {
        let scalars = ["\u{80}", "\u{7FF}", "\u{800}", "\u{D7FF}", "\u{E000}", "\u{FFFF}", "\u{10000}", "\u{10FFFF}"]
        for scalar in scalars {
            #expect(try locate("{\"text\":\"\(scalar)\"}").value == scalar)
        }
    }

    @Test(arguments: [
        ("01", 1), ("-01", 2), ("00", 1), ("1.", 2), ("1.e5", 2), (".5", 0), ("-", 1), ("-a", 1), ("+1", 0),
        ("NaN", 0), ("Infinity", 0), ("-Infinity", 1), ("1e", 2), ("1e+", 3), ("1E-x", 3), ("0x10", 1),
        ("1.5.2", 3), ("- 1", 1), ("tru", 3), ("truE", 3), ("nul", 3), ("nulll", 4), ("True", 0), ("None", 0),
    ])
    func invalidNumbersAndLiterals(value: String, offset: Int) {
        #expect(invalidOffset(#"{"text":"#.utf8.map { $0 } + Array(value.utf8) + [0x7D]) == 8 + offset)
        #expect(invalidOffset(#"{"a":["#.utf8.map { $0 } + Array(value.utf8) + Array(#"],"text":"x"}"#.utf8))
            == 6 + offset)
    }

    @Test(arguments: ["0", "-0", "1", "-1", "0.5", "10.25e-3", "1E+2", "1e9", "123456789012345678901234567890",
                      "-0.0e0", "true", "false", "null", "[]", "{}", "[[],{}]", #"{"a":[1,{"b":"c"}]}"#])
    func validNestedValues(value: String) throws {
        #expect(try locate(#"{"a":\#(value),"text":"x","b":[\#(value), \#(value)]}"#).value == "x")
    }

    @Test func deepNestingFailsCleanly() throws {
        let deep = String(repeating: "[", count: 10_000)
        #expect(error(#"{"a":\#(deep)"#) == .invalidJSON(offset: 516, reason: "nesting deeper than 512 levels"))
        #expect(invalidOffset(deep) == 512)
        #expect(invalidOffset(String(repeating: #"{"a":"#, count: 10_000)) == 512 * 5)
        // Exactly the limit is accepted: the record plus 511 arrays.
        let limit = #"{"text":"x","a":"# + String(repeating: "[", count: 511) + String(repeating: "]", count: 511) + "}"
        #expect(try locate(limit).value == "x")
        let over = #"{"text":"x","a":"# + String(repeating: "[", count: 512) + String(repeating: "]", count: 512) + "}"
        #expect(invalidOffset(over) == 16 + 511)
        // Mixed containers deeper than 64 levels still close correctly.
        let mixed = String(repeating: #"[{"k":"#, count: 100) + "1" + String(repeating: "}]", count: 100)
        #expect(try locate(#"{"m":\#(mixed),"text":"x"}"#).value == "x")
        #expect(error(#"{"m":\#(mixed.dropLast(2))]],"text":"x"}"#)
            == .invalidJSON(offset: 804, reason: "expected ',' or '}', found ']'"))
    }

    @Test(arguments: ["[1,2]", #""text""#, "42", "null", " true ", "[]", #"[{"text":"a"}]"#])
    func otherTopLevelValuesAreNotObjects(line: String) {
        #expect(error(line) == .notAnObject)
    }

    @Test func syntaxErrorsWinOverSemanticOnes() {
        #expect(invalidOffset("[1,2") == 4)
        #expect(invalidOffset(#"{"text":1,"#) == 10)
        #expect(invalidOffset(#"{"text":"a","text":"b""#) == 22)
        #expect(invalidOffset(#"{"other":1} x"#) == 12)
    }

    @Test func missingField() {
        #expect(error("{}") == .missingField("text"))
        #expect(error(#"{"body":"hi"}"#) == .missingField("text"))
        #expect(error(#"{"text":"hi"}"#, field: "body") == .missingField("body"))
    }

    @Test(arguments: [("null", "null"), ("12", "number"), ("-0.5e1", "number"), ("{}", "object"),
                      (#"{"text":"x"}"#, "object"), ("[]", "array"), (#"["x"]"#, "array"),
                      ("true", "boolean"), ("false", "boolean")])
    func fieldNotAString(value: String, kind: String) {
        #expect(error(#"{"id":1,"text": \#(value) ,"z":0}"#) == .fieldNotAString("text", found: kind))
    }

    @Test func duplicateField() throws {
        #expect(error(#"{"text":"a","text":"b"}"#) == .duplicateField("text"))
        #expect(error(#"{"text":"a","x":1,"te\u0078t":2}"#) == .duplicateField("text"))
        #expect(try locate(#"{"a":1,"a":2,"text":"x","b":{"text":1}}"#).value == "x")
    }

    @Test func descriptionsAreReadable() {
        #expect(JSONLineError.fieldNotAString("text", found: "null").description == #"field "text" is null, not a string"#)
        #expect(JSONLineError.fieldNotAString("text", found: "array").description
            == #"field "text" is an array, not a string"#)
        #expect(JSONLineError.invalidJSON(offset: 3, reason: "x").description == "invalid JSON at byte offset 3: x")
        #expect(JSONLineError.missingField("a\"b").description == #"the record has no top-level field "a\"b""#)
    }
}

@Suite("JSONLine: randomized round trip")
struct JSONLineRoundTripTests {
    /// A random string mixing ASCII, controls, quotes, backslashes, BMP and non-BMP scalars.
    private func randomString(using generator: inout SeededGenerator) -> String {
        let pools: [ClosedRange<UInt32>] = [
            0x20...0x7E, 0x00...0x1F, 0x22...0x22, 0x5C...0x5C, 0x2F...0x2F, 0x7F...0x7F,
            0x80...0x7FF, 0x800...0xD7FF, 0xE000...0xFFFF, 0x2028...0x2029, 0x10000...0x10FFFF,
        ]
        var scalars = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 0...40, using: &generator) {
            let pool = pools.randomElement(using: &generator)!
            scalars.append(Unicode.Scalar(UInt32.random(in: pool, using: &generator))!)
        }
        return String(scalars)
    }

    /// An alternative, valid encoding that escapes as much as possible:
    /// `\uXXXX` (surrogate pairs for non-BMP) for non-ASCII, random escapes
    /// for ASCII.
    private func heavilyEscaped(_ string: String, using generator: inout SeededGenerator) -> [UInt8] {
        var out = "\""
        for scalar in string.unicodeScalars {
            let units = Array(String(scalar).utf16)
            switch scalar {
            case "\"": out += #"\""#
            case "\\": out += #"\\"#
            case "/" where Bool.random(using: &generator): out += #"\/"#
            case "\n" where Bool.random(using: &generator): out += #"\n"#
            case _ where scalar.value < 0x20 || scalar.value > 0x7E || Bool.random(using: &generator):
                for unit in units {
                    let hex = String(unit, radix: 16, uppercase: Bool.random(using: &generator))
                    out += #"\u"# + String(repeating: "0", count: 4 - hex.count) + hex
                }
            default: out.unicodeScalars.append(scalar)
            }
        }
        return Array((out + "\"").utf8)
    }

    @Test func encodeThenLocateRestoresTheString() throws {
        var generator = SeededGenerator(seed: 20_240_601)
        for _ in 0..<2_000 {
            let original = randomString(using: &generator)
            let encoded = JSONString.encode(original)
            let line = Array(#"{"id":1, "text": "#.utf8) + encoded + Array(#", "z":[true]}"#.utf8)
            let location = try JSONLine.locate(field: "text", in: line[...])
            #expect(Array(line[location.valueRange]) == encoded)
            #expect(location.value?.unicodeScalars.elementsEqual(original.unicodeScalars) == true)
            let decoded = try JSONSerialization.jsonObject(with: Data(encoded), options: .fragmentsAllowed) as? String
            #expect(decoded?.unicodeScalars.elementsEqual(original.unicodeScalars) == true)

            let escaped = heavilyEscaped(original, using: &generator)
            let escapedLine = Array(#"{"te\u0078t":"#.utf8) + escaped + [0x7D]
            let relocated = try JSONLine.locate(field: "text", in: escapedLine[...])
            #expect(relocated.value?.unicodeScalars.elementsEqual(original.unicodeScalars) == true)
        }
    }

    @Test func corruptedLinesNeverCrash() {
        var generator = SeededGenerator(seed: 99)
        let seedLine = Array(#"{"id":[1,-2.5e3,{"a":null}],"text":"h\u00e9\n 😀","ok":true}"#.utf8)
        for _ in 0..<5_000 {
            var line = seedLine
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                let i = Int.random(in: 0..<line.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: line[i] = UInt8.random(in: 0...255, using: &generator)
                case 1: line.remove(at: i)
                default: line.insert(UInt8.random(in: 0...255, using: &generator), at: i)
                }
                if line.isEmpty { break }
            }
            // Whatever the outcome, a success must agree with Foundation's parser.
            if let location = try? JSONLine.locate(field: "text", in: line[...]) {
                let parsed = (try? JSONSerialization.jsonObject(with: Data(line))) as? NSDictionary
                #expect(parsed?["text"] as? String == location.value)
            }
        }
    }
}
