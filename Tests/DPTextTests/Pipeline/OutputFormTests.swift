import Foundation
import Testing
@testable import DPText

/// Output whose form is a function of public information and the mechanism's
/// output only: the bytes written for a word, or a JSONL field, must not tell
/// whether the mechanism kept it. If a kept word kept its own bytes, an
/// output like `iPhone` could only come from `iPhone`, so P[y | x′] = 0 for
/// every other x′ and the privacy loss would be unbounded.
@Suite("Output form: one rendering rule for every word and field")
struct OutputFormTests {
    /// The bundled store's 3,000 most frequent words and the ones the cases need (small, so that
    /// truncated Gumbel's extent and neighbour table are quick to build).
    static let store: EmbeddingStore = {
        let needed: Set = ["iphone", "javascript", "mcdonald", "café", "nasa", "phone", "python", "donald", "bar", "navy"]
        let kept = Set(PipelineTests.store.words.prefix(3_000)).union(needed)
        return try! PipelineTests.store.subset(where: kept.contains)
    }()
    static let index = ExactNeighborIndex(store: store)

    static func id(_ word: String) -> Int { store.id(of: word)! }

    /// Claims a guarantee, and returns every input as "the input" (`Draw.input`).
    struct KeepsInput: WordMechanism {
        var name: String { "keeps-input" }
        var parameters: [String: Double] { [:] }
        var guarantee: PrivacyGuarantee { .pureMetric(epsilon: 1) }
        func draw<G: RandomNumberGenerator>(_ input: MechanismInput, using generator: inout G) -> Draw { .input }
    }

    /// Claims a guarantee, and maps word ids through `map` (others to themselves) as outputs.
    struct Maps: WordMechanism {
        let map: [Int: Int]
        var name: String { "maps" }
        var parameters: [String: Double] { [:] }
        var guarantee: PrivacyGuarantee { .pureMetric(epsilon: 1) }
        func draw<G: RandomNumberGenerator>(_ input: MechanismInput, using generator: inout G) -> Draw {
            guard case .word(let id) = input else { return .word(0) }
            return .word(map[id] ?? id)
        }
    }

    /// Each tricky word, and a decoy of the same casing class that `decoyMap` sends to the tricky word.
    static let pairs: [(word: String, decoy: String)] = [
        ("iPhone", "phone"), ("JavaScript", "python"), ("McDonald", "donald"),
        ("cafe\u{301}", "bar"), ("CAFE\u{301}", "BAR"), ("NASA", "NAVY"), ("Café", "Bar"),
    ]
    static let decoyMap: [Int: Int] = [
        id("phone"): id("iphone"), id("python"): id("javascript"), id("donald"): id("mcdonald"),
        id("bar"): id("café"), id("navy"): id("nasa"),
    ]

    static func line(_ words: [String]) -> String {
        "My \(words[0]) runs \(words[1]) at \(words[2]),\tand the \(words[3]) is open. \(words[4]) \(words[5])! \(words[6])\r\n"
    }

    static func output(_ mechanism: some WordMechanism, _ bytes: [UInt8], format: RecordFormat = .text) throws -> [UInt8] {
        let pipeline = PrivatizationPipeline(
            rewriter: TextRewriter(store: store, policy: .unk), privatizer: try Privatizer(mechanism: mechanism, decoder: index),
            noise: .seeded(1), format: format, threads: 2)
        return try PipelineTests.run(pipeline, bytes).output
    }

    @Test("a kept word is written exactly as another word mapped to it (text, CRLF)")
    func keptWordsLookLikeReplacedOnes() throws {
        let kept = try Self.output(KeepsInput(), Array(Self.line(Self.pairs.map(\.word)).utf8))
        let replaced = try Self.output(Maps(map: Self.decoyMap), Array(Self.line(Self.pairs.map(\.decoy)).utf8))
        let shown = "\(String(decoding: kept, as: UTF8.self).debugDescription) vs "
            + "\(String(decoding: replaced, as: UTF8.self).debugDescription)"
        #expect(kept == replaced, "\(shown)")
        #expect(String(decoding: kept, as: UTF8.self)
                == "My iphone runs javascript at mcdonald,\tand the café is open. CAFÉ NASA! Café\r\n")
        // The mechanism returning the input id as an output word changes nothing either.
        let returned = try Self.output(Maps(map: [:]), Array(Self.line(Self.pairs.map(\.word)).utf8))
        #expect(returned == kept)
    }

    @Test("a kept JSONL field is re-encoded exactly as a replaced one (escapes, CRLF, other fields kept)")
    func keptFieldsLookLikeReplacedOnes() throws {
        let format = RecordFormat.jsonl(field: "text")
        let escaped = #"{"id": 7, "note": "caf\u00e9 \/ kept", "text": "the caf\u00e9\u000d\u000aiPhone \"NASA\"\/"}"# + "\r\n"
        let decoy = #"{"id": 7, "note": "caf\u00e9 \/ kept", "text": "the bar\r\nphone \"NAVY\"/"}"# + "\r\n"
        let kept = try Self.output(KeepsInput(), Array(escaped.utf8), format: format)
        let replaced = try Self.output(Maps(map: Self.decoyMap), Array(decoy.utf8), format: format)
        #expect(kept == replaced, "\(String(decoding: kept, as: UTF8.self)) vs \(String(decoding: replaced, as: UTF8.self))")
        // Only the privatized field is re-encoded (one way: raw UTF-8, the escapes JSON requires).
        #expect(String(decoding: kept, as: UTF8.self)
                == #"{"id": 7, "note": "caf\u00e9 \/ kept", "text": "the café\r\niphone \"NASA\"/"}"# + "\r\n")
        #expect(try Self.output(Maps(map: [:]), Array(escaped.utf8), format: format) == kept)
    }

    @Test("only a mechanism that claims nothing keeps bytes and literals")
    func identityKeepsBytes() throws {
        let text = Self.line(Self.pairs.map(\.word))
        #expect(try Self.output(IdentityMechanism(), Array(text.utf8)) == Array(text.utf8))
        let record = #"{"text": "caf\u00e9 iPhone\r\n"}"# + "\n"
        #expect(try Self.output(IdentityMechanism(), Array(record.utf8), format: .jsonl(field: "text")) == Array(record.utf8))
        #expect(TextRewriter.Rendering(for: .none) == .verbatim)
        #expect(TextRewriter.Rendering(for: .pureMetric(epsilon: 1)) == .canonical)
        #expect(TextRewriter.Rendering(for: .unverified(claimedEpsilon: 1, reason: "")) == .canonical)
    }

    /// The rule, written out independently: every privatized word is its
    /// output word in the input's casing class; every other byte is kept.
    static func referenceRender(_ text: [UInt8], rewriter: TextRewriter, outputs: [Int?]) -> [UInt8] {
        let prepared = rewriter.prepare(text)
        var result: [UInt8] = []
        var copied = 0
        var next = 0
        for word in prepared.words {
            result += text[copied..<word.range.lowerBound]
            copied = word.range.upperBound
            guard word.isPrivatized else { result += text[word.range]; continue }
            let chosen = outputs[next] ?? word.id!
            next += 1
            let casing = CasingPattern(of: Substring(decoding: text[word.range], as: UTF8.self))
            result += Array(casing.apply(to: store.words[chosen]).utf8)
        }
        return result + text[copied...]
    }

    static let resources = VocabularyResources(vocabulary: store, index: index)

    /// Every mechanism of the catalog with a guarantee, at an ε of its grid, plus variants whose
    /// decoding differs (the distance cap), and two that claim a guarantee while keeping or mapping
    /// words: a new mechanism cannot be missed.
    static func mechanisms() throws -> [any WordMechanism] {
        let standIn = [store.outOfVocabularyStandIn]
        let catalog = try MechanismCatalog.privatizing.map { descriptor in
            let epsilon = try descriptor.epsilons(on: resources).first ?? 1
            let fast: [String: Double] = descriptor.cost == .chain ? ["burn_in": 5, "steps": 5] : [:]
            return try descriptor.make(MechanismSettings(epsilon: epsilon, values: fast, resources: resources, standIns: standIn))
        }
        let capped = try TruncatedLaplaceMechanism.descriptor.make(MechanismSettings(
            epsilon: 12, values: ["max_distance": 5], resources: resources, standIns: standIn))
        return catalog + [capped, KeepsInput(), Maps(map: decoyMap)]
    }

    @Test("every mechanism's output bytes follow from its output words and the casing classes alone")
    func everyMechanismFollowsTheRule() throws {
        let rewriter = TextRewriter(store: Self.store, policy: .unk)
        let lines = [Self.line(Self.pairs.map(\.word)), Self.line(Self.pairs.map(\.decoy)),
                     "Privacy MATTERS zqxjvw Blorp café CAFE\u{301}\r\n", "no final newline"]
        let text = Array(lines.joined().utf8)
        for mechanism in try Self.mechanisms() {
            let output = try Self.output(mechanism, text)
            // The same streams the pipeline uses: record i of input 0.
            let privatizer = try Privatizer(mechanism: mechanism, decoder: Self.index)
            var expected: [UInt8] = []
            for (record, line) in lines.enumerated() {
                var content = Array(line.utf8)
                let terminator = content.last == 0x0A ? Array(content.suffix(2)) : []
                content.removeLast(terminator.count)
                var generator = NoiseSource.seeded(1).generator(input: 0, record: record)
                let outputs = privatizer.privatize(rewriter.prepare(content).inputs, using: &generator)
                expected += Self.referenceRender(content, rewriter: rewriter, outputs: outputs) + terminator
            }
            #expect(output == expected, "\(mechanism.name): \(String(decoding: output, as: UTF8.self).debugDescription)")
        }
    }
}
