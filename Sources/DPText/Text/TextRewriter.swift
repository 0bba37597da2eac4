/// Rewrites the words of a text with a mechanism's outputs, keeping every
/// other byte as it was.
///
/// **One rendering rule for every privatized word** (`Rendering.canonical`):
/// the output is the vocabulary word the mechanism chose, written in the
/// casing class of the input word (`CasingPattern`: lower, Title or UPPER) —
/// whether or not the mechanism changed the word. The bytes written are a
/// function of the chosen word and the casing class only, so they never tell
/// an observer that a word survived: `iPhone` kept comes out as `iphone`, as
/// would any word replaced by `iphone`; a decomposed `café` comes out in the
/// store's spelling. Only `Rendering.verbatim`, for a mechanism that claims
/// no privacy (the identity), copies a kept word's own bytes. Which of the
/// two a run uses is decided once, by its `Privatizer`, and passed to `render`.
///
/// Works in two steps so that many texts can share one batched decoding:
/// `prepare` finds the words and what the mechanism must privatize;
/// `render` writes the text back once the outputs are known.
public struct TextRewriter: Sendable {
    /// How a privatized word is written.
    public enum Rendering: Sendable, Equatable {
        /// Every privatized word as its output word in the input's casing
        /// class, changed or not. For every mechanism with a guarantee.
        case canonical
        /// A word the mechanism kept is copied byte for byte; only for a
        /// mechanism that claims nothing (`PrivacyGuarantee.none`), whose
        /// output must equal its input.
        case verbatim

        /// The rendering a mechanism with `guarantee` must use.
        public init(for guarantee: PrivacyGuarantee) {
            self = guarantee == .none ? .verbatim : .canonical
        }
    }

    public let vocabulary: Vocabulary
    public let policy: OOVPolicy
    /// The placeholder written for an OOV word under `.mask`.
    public let maskToken: String
    /// The fixed public vector OOV words are privatized as under `.unk`
    /// (`EmbeddingStore.outOfVocabularyStandIn`).
    let unknownInput: MechanismInput

    public init(store: EmbeddingStore, policy: OOVPolicy, maskToken: String = "[MASK]") {
        self.vocabulary = Vocabulary(store: store)
        self.policy = policy
        self.maskToken = maskToken
        self.unknownInput = .publicVector(store.outOfVocabularyStandIn)
    }

    /// The public vectors other than words this rewriter asks a mechanism to
    /// privatize: the OOV stand-in under `.unk`, none otherwise.
    public var standIns: [[Double]] {
        guard policy == .unk, case .publicVector(let vector) = unknownInput else { return [] }
        return [vector]
    }

    /// A text's words, located and looked up.
    public struct Prepared: Sendable {
        /// The text; word ranges are indices of it (a slice keeps its parent's indices).
        let text: ArraySlice<UInt8>
        let words: [Word]
        /// What the mechanism privatizes, one entry per word that has `input != nil`.
        public let inputs: [MechanismInput]
        /// Runs of invalid UTF-8 in the text (written back unchanged).
        let undecodableRuns: Int
    }

    struct Word: Sendable {
        let range: Range<Int>
        /// The vocabulary id, nil when out of vocabulary.
        let id: Int?
        /// Whether the mechanism privatizes it (in vocabulary, or OOV under `.unk`).
        let isPrivatized: Bool
    }

    public func prepare(_ text: [UInt8]) -> Prepared {
        prepare(text[...])
    }

    /// As `prepare(_:)`, for bytes inside a larger buffer (no copy).
    public func prepare(_ text: ArraySlice<UInt8>) -> Prepared {
        var words: [Word] = []
        var inputs: [MechanismInput] = []
        let base = text.startIndex
        text.withUnsafeBufferPointer { buffer in
            func add(_ range: Range<Int>) {
                let id = vocabulary.id(of: slice(buffer, range))
                let isPrivatized = id != nil || policy == .unk
                words.append(Word(range: base + range.lowerBound..<base + range.upperBound, id: id,
                                  isPrivatized: isPrivatized))
                if let id { inputs.append(.word(id)) } else if isPrivatized { inputs.append(unknownInput) }
            }
            for span in WordTokenizer.spans(in: buffer) {
                if span.isJoined && vocabulary.id(of: slice(buffer, span.range)) == nil {
                    span.parts.forEach(add)
                } else {
                    add(span.range)
                }
            }
        }
        let undecodableRuns = text.withUnsafeBufferPointer(WordTokenizer.undecodableRuns(in:))
        return Prepared(text: text, words: words, inputs: inputs, undecodableRuns: undecodableRuns)
    }

    /// The rewritten text, given the mechanism's output for each input of
    /// `prepared` (nil: the input word itself — written as it was under
    /// `.verbatim`, in the rendering rule under `.canonical`); adds to `counts`.
    public func render(_ prepared: Prepared, outputs: [Int?], rendering: Rendering,
                       counts: inout RewriteCounts) -> [UInt8] {
        precondition(outputs.count == prepared.inputs.count)
        var result: [UInt8] = []
        result.reserveCapacity(prepared.text.count + 16)
        counts.records += 1
        counts.undecodableRuns += prepared.undecodableRuns
        // Raw bytes: no reference counting per word on a buffer other threads share.
        prepared.text.withUnsafeBufferPointer { text in
            let base = prepared.text.startIndex
            func bytes(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
                UnsafeBufferPointer(rebasing: text[range.lowerBound - base..<range.upperBound - base])
            }
            var copied = base
            var nextOutput = 0
            for word in prepared.words {
                counts.tokens += 1
                result.append(contentsOf: bytes(copied..<word.range.lowerBound))
                copied = word.range.upperBound
                let original = bytes(word.range)
                let output: Int?? = word.isPrivatized ? outputs[nextOutput] : .none
                if word.isPrivatized { nextOutput += 1 }

                if let id = word.id {
                    counts.inVocabulary += 1
                    let chosen = (output ?? nil) ?? id
                    if chosen == id { counts.unchanged += 1 } else { counts.replaced += 1 }
                    if rendering == .verbatim && chosen == id {
                        result.append(contentsOf: original)
                    } else {
                        result.append(contentsOf: written(chosen, like: original))
                    }
                    continue
                }
                switch policy {
                case .unk:
                    counts.oovUnk += 1
                    if let replacement = output ?? nil {
                        result.append(contentsOf: written(replacement, like: original))
                    } else {
                        precondition(rendering == .verbatim, "a mechanism with a guarantee kept an OOV word as written")
                        result.append(contentsOf: original)
                    }
                case .mask:
                    counts.oovMasked += 1
                    result.append(contentsOf: maskToken.utf8)
                case .drop:
                    counts.oovDropped += 1
                case .keep:
                    counts.oovKept += 1
                    result.append(contentsOf: original)
                }
            }
            result.append(contentsOf: bytes(copied..<base + text.count))
        }
        return result
    }

    /// Vocabulary word `id` in the casing pattern of `original`: the rendering rule.
    private func written(_ id: Int, like original: UnsafeBufferPointer<UInt8>) -> String.UTF8View {
        let pattern = CasingPattern(ofUTF8: original)
        return pattern.apply(to: vocabulary.store.words[id]).utf8
    }

    private func slice(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: buffer[range])
    }
}
