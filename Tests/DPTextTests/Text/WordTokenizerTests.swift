import Testing
@testable import DPText

@Suite("Word tokenizer and casing")
struct WordTokenizerTests {
    /// The candidate words of `text` and their parts, as strings.
    private func words(_ text: String) -> [[String]] {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { buffer in
            WordTokenizer.spans(in: buffer).map { span in
                span.parts.count == 1 ? [String(decoding: bytes[span.range], as: UTF8.self)]
                    : [String(decoding: bytes[span.range], as: UTF8.self)]
                        + span.parts.map { String(decoding: bytes[$0], as: UTF8.self) }
            }
        }
    }

    @Test func wordsAreRunsOfLettersMarksAndDigits() {
        #expect(words("Hello, world! 42 mp3") == [["Hello"], ["world"], ["42"], ["mp3"]])
        #expect(words("café Zürich 日本語 naïve") == [["café"], ["Zürich"], ["日本語"], ["naïve"]])
        // A combining acute accent stays inside the word.
        #expect(words("cafe\u{301}s") == [["cafe\u{301}s"]])
    }

    @Test func hyphensAndApostrophesJoinWordsOnlyBetweenWordCharacters() {
        #expect(words("well-known o'clock don’t") == [
            ["well-known", "well", "known"], ["o'clock", "o", "clock"], ["don’t", "don", "t"],
        ])
        #expect(words("-dash- 'quoted' a--b x-") == [["dash"], ["quoted"], ["a"], ["b"], ["x"]])
        #expect(words("twenty-five-year-old") == [["twenty-five-year-old", "twenty", "five", "year", "old"]])
    }

    @Test func everythingElsePassesThrough() {
        #expect(words("3.14 1,000 10% https://x.org/a_b 😀 🇺🇸 👩‍👩‍👧 \t\r\n") == [
            ["3"], ["14"], ["1"], ["000"], ["10"], ["https"], ["x"], ["org"], ["a"], ["b"],
        ])
        #expect(words("") == [])
        #expect(words("...!?") == [])
    }

    @Test func invalidUTF8IsNeverPartOfAWord() {
        let bytes: [UInt8] = [0x61, 0xFF, 0x62, 0xC3, 0x28, 0xE2, 0x82, 0x63]  // a, bad, b, bad pair, truncated 3-byte, c
        let spans = bytes.withUnsafeBufferPointer { WordTokenizer.spans(in: $0) }
        #expect(spans.map(\.range) == [0..<1, 2..<3, 7..<8])
    }

    @Test func singleWordsAreWhatTheTokenizerReadsAsOneWord() throws {
        for word in ["privacy", "well-known", "1776", "café", "o'clock", "日本"] { #expect(WordTokenizer.isSingleWord(word)) }
        for entry in [",", "'s", "1,000", "u.s.", "...", "-", "a b", "x-", ""] { #expect(!WordTokenizer.isSingleWord(entry)) }
        let store = try EmbeddingStore(words: ["the", ",", "'s", "cat", "u.s."], vectors: [1, 2, 3, 4, 5], dimension: 1)
        let vocabulary = try WordTokenizer.wordVocabulary(of: store)
        #expect(vocabulary.words == ["the", "cat"])
        #expect(vocabulary.vectors == [1, 4])
    }

    @Test func casingPatterns() {
        #expect(CasingPattern(of: "privacy") == .lower)
        #expect(CasingPattern(of: "Privacy") == .title)
        #expect(CasingPattern(of: "PRIVACY") == .upper)
        #expect(CasingPattern(of: "I") == .title)
        #expect(CasingPattern(of: "iPhone") == .lower)
        #expect(CasingPattern(of: "ÉCOLE") == .upper)
        #expect(CasingPattern.title.apply(to: "élan") == "Élan")
        #expect(CasingPattern.upper.apply(to: "straße") == "STRASSE")
        #expect(CasingPattern.lower.apply(to: "word") == "word")
    }
}
