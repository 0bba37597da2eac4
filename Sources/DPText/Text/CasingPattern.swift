/// How a word is capitalized, so a replacement can be written the same way.
///
/// GloVe's vocabulary is lower-case: words are looked up lower-cased and the
/// replacement takes the original's pattern.
public enum CasingPattern: Sendable, Equatable {
    /// `privacy`, and any pattern that is none of the others (`iPhone`).
    case lower
    /// `Privacy`: first letter upper-case, no other upper-case letter.
    case title
    /// `PRIVACY`: at least two letters, all upper-case.
    case upper

    /// The pattern of `word`.
    public init(of word: Substring) {
        var letters = 0, uppers = 0
        var firstIsUpper = false
        for character in word where character.isLetter {
            letters += 1
            if character.isUppercase {
                if letters == 1 { firstIsUpper = true }
                uppers += 1
            }
        }
        self.init(letters: letters, uppers: uppers, firstIsUpper: firstIsUpper)
    }

    /// The pattern of the UTF-8 bytes `word` (valid UTF-8): bytewise for
    /// ASCII, where letters are exactly `A–Z a–z`, else as `init(of:)`.
    public init(ofUTF8 word: some Collection<UInt8>) {
        guard word.allSatisfy({ $0 < 0x80 }) else {
            self.init(of: Substring(decoding: word, as: UTF8.self))
            return
        }
        var letters = 0, uppers = 0
        var firstIsUpper = false
        for byte in word {
            let isUpper = byte >= 0x41 && byte <= 0x5A
            guard isUpper || (byte >= 0x61 && byte <= 0x7A) else { continue }
            letters += 1
            if isUpper {
                if letters == 1 { firstIsUpper = true }
                uppers += 1
            }
        }
        self.init(letters: letters, uppers: uppers, firstIsUpper: firstIsUpper)
    }

    private init(letters: Int, uppers: Int, firstIsUpper: Bool) {
        if letters >= 2 && uppers == letters {
            self = .upper
        } else if firstIsUpper && uppers == 1 {
            self = .title
        } else {
            self = .lower
        }
    }

    /// `word` (lower-case) written in this pattern.
    public func apply(to word: String) -> String {
        switch self {
        case .lower: return word
        case .upper: return word.uppercased()
        case .title:
            guard let first = word.first else { return word }
            return first.uppercased() + word.dropFirst()
        }
    }
}
