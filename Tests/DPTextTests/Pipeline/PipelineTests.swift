import Foundation
import Testing
@testable import DPText

@Suite("Streaming privatization pipeline")
struct PipelineTests {
    static let store = try! EmbeddingStore.load(from: TestData.bundledStore)
    static let index = ExactNeighborIndex(store: store)

    static func pipeline(
        _ mechanism: any WordMechanism, policy: OOVPolicy = .unk, noise: NoiseSource = .seeded(1),
        format: RecordFormat = .text, threads: Int = 2, chunkSize: Int = 4096, segmentLimit: Int = 1 << 20
    ) throws -> PrivatizationPipeline {
        PrivatizationPipeline(
            rewriter: TextRewriter(store: store, policy: policy),
            privatizer: try Privatizer(mechanism: mechanism, decoder: index),
            noise: noise, format: format, threads: threads, chunkSize: chunkSize, segmentLimit: segmentLimit)
    }

    /// Runs `pipeline` over `bytes` written to a temporary file.
    static func run(_ pipeline: PrivatizationPipeline, _ bytes: [UInt8]) throws -> (output: [UInt8], counts: RewriteCounts) {
        let folder = try TestData.temporaryFolder()
        defer { TestData.cleanUp(folder) }
        let path = folder.appendingPathComponent("input").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        var reader = try LineReader(path: path)
        let sink = MemoryOutputSink()
        let counts = try pipeline.run(&reader, input: 0, into: sink)
        #expect(sink.finished && !sink.abandoned)
        return (sink.bytes, counts)
    }

    static let corpora = ["pride-and-prejudice.txt", "persuasion-paragraphs.jsonl", "mixed-layout.txt"]

    @Test("identity leaves every bundled corpus byte-identical", arguments: corpora)
    func identityRoundTripOnCorpora(name: String) throws {
        let bytes = Array(try Data(contentsOf: TestData.repository.appendingPathComponent("Corpora/\(name)")))
        for policy in [OOVPolicy.unk, .keep] {
            let (output, counts) = try Self.run(Self.pipeline(IdentityMechanism(), policy: policy, chunkSize: 100), bytes)
            #expect(output == bytes)
            #expect(counts.replaced == 0 && counts.tokens > 0)
        }
    }

    @Test("identity leaves generated Unicode text and invalid bytes byte-identical")
    func identityRoundTripOnGeneratedText() throws {
        var generator = SeededGenerator(seed: 2024)
        let pieces: [[UInt8]] = ["word", "Word", "WORD", " ", "\t", "\n", "\r\n", "\r", "-", "'", "’", ".", "3.14",
                                 "café", "cafe\u{301}", "日本", "😀", "👩‍👩‍👧", "🇺🇸", "\u{0}", "Ωμέγα", "привет"]
            .map { Array($0.utf8) } + [[0xFF], [0xC3], [0xE2, 0x82], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80]]
        for _ in 0..<20 {
            let bytes = (0..<2000).flatMap { _ in pieces.randomElement(using: &generator)! }
            let (output, _) = try Self.run(Self.pipeline(IdentityMechanism(), chunkSize: 7), bytes)
            #expect(output == bytes)
        }
    }

    @Test("lines longer than the segment limit come out as if privatized whole")
    func longLinesInSegments() throws {
        let austen = Array(try Data(contentsOf: TestData.repository.appendingPathComponent("Corpora/pride-and-prejudice.txt")))
        // Long lines (paragraphs joined, tabs and double spaces kept), short lines, CRLF, no final newline.
        let long = austen.prefix(20_000).map { $0 == 0x0A ? 0x20 : $0 }
        let bytes = long + Array("\nshort one\r\n".utf8) + long.prefix(7_777) + Array("\r\n\ntail".utf8) + long.prefix(3_001)
        let laplace = try MultivariateLaplaceMechanism(epsilon: 10, store: Self.store)
        let whole = try Self.run(Self.pipeline(laplace, threads: 1), bytes)
        #expect(whole.counts.replaced > 100)
        for (limit, threads, chunk) in [(64, 1, 4096), (100, 2, 1), (1_000, 2, 3), (5_000, 3, 2)] {
            let segmented = try Self.run(Self.pipeline(laplace, threads: threads, chunkSize: chunk, segmentLimit: limit), bytes)
            #expect(segmented.output == whole.output, "segment limit \(limit)")
            #expect(segmented.counts == whole.counts, "segment limit \(limit)")
        }
        // JSONL: long fields (with escapes) likewise, beside short records and other fields.
        let field = String(decoding: long.prefix(9_000), as: UTF8.self)
        let records = [["id": 1, "text": field + "\n\"quoted\"\tend"], ["id": 2, "text": "The cat sat."],
                       ["text": String(field.prefix(4_321)), "other": "kept"]] as [[String: Any]]
        let jsonl = Array(try records.map { String(decoding: try JSONSerialization.data(withJSONObject: $0), as: UTF8.self) }
            .joined(separator: "\n").utf8) + [0x0A]
        let wholeRecords = try Self.run(Self.pipeline(laplace, format: .jsonl(field: "text"), threads: 1), jsonl)
        #expect(wholeRecords.counts.replaced > 50)
        for (limit, threads) in [(64, 2), (1_000, 1)] {
            let segmented = try Self.run(
                Self.pipeline(laplace, format: .jsonl(field: "text"), threads: threads, chunkSize: 2, segmentLimit: limit), jsonl)
            #expect(segmented.output == wholeRecords.output, "JSONL, segment limit \(limit)")
            #expect(segmented.counts == wholeRecords.counts, "JSONL, segment limit \(limit)")
        }
        // The identity stays byte-exact even where a run without whitespace is cut.
        let noSpaces = Array(repeating: Array("abc".utf8) + [0xC3, 0xA9], count: 3_000).flatMap { $0 }
        let identity = try Self.run(Self.pipeline(IdentityMechanism(), segmentLimit: 100), noSpaces + [0x0A] + noSpaces)
        #expect(identity.output == noSpaces + [0x0A] + noSpaces)
    }

    @Test("long lines without ASCII spaces (Chinese, Japanese) are cut only between words, never inside a character",
          arguments: [OOVPolicy.mask, .unk])
    func longLinesWithoutSpaces(policy: OOVPolicy) throws {
        let laplace = try MultivariateLaplaceMechanism(epsilon: 10, store: Self.store)
        let lines: [[UInt8]] = [
            Array(("xy" + String(repeating: "日本,", count: 4_000)).utf8),      // ASCII comma between words
            Array(String(repeating: "東京、大阪。the cat", count: 1_500).utf8),   // CJK punctuation, some English
            Array(("a " + String(repeating: "日本", count: 3_000) + " b").utf8),  // one 18 kB word
        ]
        for line in lines {
            let bytes = line + [0x0A]
            let whole = try Self.run(Self.pipeline(laplace, policy: policy, threads: 1), bytes)
            #expect(whole.counts.undecodableRuns == 0)
            for limit in [64, 101, 1_000] {
                let segmented = try Self.run(Self.pipeline(laplace, policy: policy, segmentLimit: limit), bytes)
                #expect(segmented.output == whole.output, "segment limit \(limit)")
                #expect(segmented.counts == whole.counts, "segment limit \(limit)")
            }
            // The same text as a JSONL field.
            let record = Array("{\"text\": \"".utf8) + line + Array("\"}\n".utf8)
            let wholeRecord = try Self.run(Self.pipeline(laplace, policy: policy, format: .jsonl(field: "text"), threads: 1), record)
            for limit in [64, 1_000] {
                let segmented = try Self.run(
                    Self.pipeline(laplace, policy: policy, format: .jsonl(field: "text"), segmentLimit: limit), record)
                #expect(segmented.output == wholeRecord.output, "JSONL, segment limit \(limit)")
                #expect(segmented.counts == wholeRecord.counts, "JSONL, segment limit \(limit)")
            }
        }
    }

    @Test("a segment ends after the last scalar no word can hold: never inside a character, a word or a joined word")
    func cutPoints() {
        func cut(_ text: [UInt8]) -> Int? { SegmentRewriter.cutPoint(in: text[...]) }
        #expect(cut(Array("日本,日本".utf8)) == 7)               // after the comma
        #expect(cut(Array("東京、大阪".utf8)) == 9)               // after U+3001
        #expect(cut(Array("日本日本".utf8)) == nil)               // one word: no cut
        #expect(cut(Array("the cat".utf8)) == 4)
        #expect(cut(Array("well-known".utf8)) == nil)            // the hyphen joins
        #expect(cut(Array("o’clock".utf8)) == nil)               // so does ’
        #expect(cut(Array("a, ".utf8) + [0xE6, 0x97]) == 3)      // a character cut short at the end is skipped
        #expect(cut(Array("a".utf8) + [0xFF, 0xFE]) == nil)      // undecodable bytes are no place to cut
        #expect(cut(Array("😀".utf8)) == 4)                      // a symbol is a separator
    }

    @Test("a seeded run gives the same bytes for any thread count and chunk size")
    func seededOutputIsIndependentOfThreadsAndChunks() throws {
        let bytes = Array(try Data(contentsOf: TestData.repository.appendingPathComponent("Corpora/mixed-layout.txt")))
        let laplace = try MultivariateLaplaceMechanism(epsilon: 10, store: Self.store)
        let reference = try Self.run(Self.pipeline(laplace, threads: 1, chunkSize: 4096), bytes)
        for (threads, chunkSize) in [(2, 4096), (2, 1), (3, 7), (1, 13)] {
            let other = try Self.run(Self.pipeline(laplace, threads: threads, chunkSize: chunkSize), bytes)
            #expect(other.output == reference.output, "threads \(threads), chunk \(chunkSize)")
            #expect(other.counts == reference.counts)
        }
        #expect(reference.counts.replaced > 0)
        let otherSeed = try Self.run(Self.pipeline(laplace, noise: .seeded(2)), bytes)
        #expect(otherSeed.output != reference.output)
    }

    @Test("unseeded runs draw fresh noise")
    func systemNoiseDiffers() throws {
        let bytes = Array(String(repeating: "the quick brown fox jumps over the lazy dog\n", count: 50).utf8)
        let laplace = try MultivariateLaplaceMechanism(epsilon: 5, store: Self.store)
        let first = try Self.run(Self.pipeline(laplace, noise: .system), bytes)
        let second = try Self.run(Self.pipeline(laplace, noise: .system), bytes)
        #expect(first.output != second.output)
    }

    @Test("casing pattern and layout survive replacement")
    func replacementsKeepCasingAndLayout() throws {
        // At a tiny ε nearly every word is replaced; the layout around them is not.
        // A vocabulary of letters-only words, so a replacement never contains a separator.
        let ids = (0..<Self.store.count).filter { Self.store.words[$0].allSatisfy { $0.isLetter } }.prefix(3000)
        let letters = try EmbeddingStore(words: ids.map { Self.store.words[$0] },
                                         vectors: ids.flatMap { Self.store.vector(at: $0).map(Float.init) },
                                         dimension: Self.store.dimension)
        let text = "Privacy  MATTERS,\tsaid the\r\nQueen.\n"
        let laplace = try MultivariateLaplaceMechanism(epsilon: 0.01, store: letters)
        let pipeline = PrivatizationPipeline(
            rewriter: TextRewriter(store: letters, policy: .unk),
            privatizer: try Privatizer(mechanism: laplace, decoder: ExactNeighborIndex(store: letters)),
            noise: .seeded(3), format: .text, threads: 2)
        let (output, counts) = try Self.run(pipeline, Array(text.utf8))
        let result = String(decoding: output, as: UTF8.self)
        let separators: Set<Character> = [" ", ",", "\t", "\r\n", "\n", "."]  // "\r\n" is one Character
        let words = result.split(whereSeparator: { separators.contains($0) })
        #expect(words.count == 5, "\(result.debugDescription) \(counts)")
        #expect(words[0].first!.isUppercase && words[0].dropFirst().allSatisfy { !$0.isUppercase })
        #expect(words[1].allSatisfy { !$0.isLetter || $0.isUppercase })
        #expect(words[2].allSatisfy { !$0.isUppercase } && words[3].allSatisfy { !$0.isUppercase })
        #expect(result.hasSuffix(".\n") && result.contains("\r\n") && result.contains("\t"))
        #expect(counts.tokens == 5 && counts.inVocabulary + counts.oovUnk == 5)
        #expect(counts.replaced + counts.unchanged == counts.inVocabulary)
    }

    @Test("every OOV policy does what it says and is counted", arguments: OOVPolicy.allCases)
    func oovPolicies(policy: OOVPolicy) throws {
        let text = "the zqxjvw said Blorptastic\n"
        let (output, counts) = try Self.run(Self.pipeline(IdentityMechanism(), policy: policy), Array(text.utf8))
        let result = String(decoding: output, as: UTF8.self)
        switch policy {
        case .unk, .keep: #expect(result == text)  // identity keeps even privatized words
        case .mask: #expect(result == "the [MASK] said [MASK]\n")
        case .drop: #expect(result == "the  said \n")
        }
        #expect(counts.outOfVocabulary == 2 && counts.inVocabulary == 2)
        let expected = [OOVPolicy.unk: counts.oovUnk, .mask: counts.oovMasked, .drop: counts.oovDropped, .keep: counts.oovKept]
        #expect(expected[policy] == 2)
    }

    @Test("unk privatizes OOV words into vocabulary words; keep passes them through")
    func unkReplacesOOVWords() throws {
        let laplace = try MultivariateLaplaceMechanism(epsilon: 1, store: Self.store)
        let text = Array("zqxjvw\n".utf8)
        let unk = String(decoding: try Self.run(Self.pipeline(laplace, policy: .unk), text).output, as: UTF8.self)
        #expect(Self.store.id(of: String(unk.dropLast())) != nil)
        let kept = try Self.run(Self.pipeline(laplace, policy: .keep), text)
        #expect(kept.output == text && kept.counts.oovKept == 1)
    }

    @Test("JSONL: only the chosen field changes, every other byte is kept")
    func jsonlRewritesOneField() throws {
        let line = #"{"id": 7,  "text": "The cat sat.", "meta": {"text": "inner"}, "n": 1.50e3}"#
        let laplace = try MultivariateLaplaceMechanism(epsilon: 0.01, store: Self.store)
        let (output, counts) = try Self.run(Self.pipeline(laplace, format: .jsonl(field: "text")),
                                            Array((line + "\n   \n" + line).utf8))
        let lines = String(decoding: output, as: UTF8.self).components(separatedBy: "\n")
        #expect(lines.count == 3 && lines[1] == "   ")
        for result in [lines[0], lines[2]] {
            #expect(result.hasPrefix(#"{"id": 7,  "text": ""#))
            #expect(result.hasSuffix(#"", "meta": {"text": "inner"}, "n": 1.50e3}"#))
            let object = try JSONSerialization.jsonObject(with: Data(result.utf8)) as! [String: Any]
            #expect((object["text"] as! String).hasSuffix("."))
        }
        #expect(counts.records == 2 && counts.tokens == 6)
    }

    @Test("JSONL: identity keeps the field's original escapes")
    func jsonlIdentityKeepsEscapes() throws {
        let line = Array(#"{"text": "caf\u00e9 \"quoted\"\n"}"#.utf8) + [10]
        #expect(try Self.run(Self.pipeline(IdentityMechanism(), format: .jsonl(field: "text")), line).output == line)
    }

    @Test("JSONL: a bad record stops the run with its line number")
    func jsonlErrorsNameTheLine() throws {
        let bytes = Array("{\"text\": \"ok\"}\n{\"body\": \"no text\"}\n".utf8)
        let folder = try TestData.temporaryFolder()
        defer { TestData.cleanUp(folder) }
        let path = folder.appendingPathComponent("in.jsonl").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        for (threads, chunk) in [(1, 4096), (2, 1)] {
            var reader = try LineReader(path: path)
            let sink = MemoryOutputSink()
            #expect(throws: PipelineError.invalidRecord(path: path, line: 2, detail: "\(JSONLineError.missingField("text"))")) {
                try Self.pipeline(IdentityMechanism(), format: .jsonl(field: "text"), threads: threads, chunkSize: chunk)
                    .run(&reader, input: 0, into: sink)
            }
            #expect(sink.abandoned && !sink.finished)
        }
    }
}

@Suite("Atomic output files")
struct AtomicFileSinkTests {
    @Test func finishedFileAppearsOnlyWhenComplete() throws {
        let folder = try TestData.temporaryFolder()
        defer { TestData.cleanUp(folder) }
        let path = folder.appendingPathComponent("out.txt").path
        let sink = try AtomicFileSink(path: path)
        try sink.write(Array("hello\n".utf8))
        #expect(!FileManager.default.fileExists(atPath: path))
        try sink.finish()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "hello\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["out.txt"])
    }

    @Test func abandonedFileLeavesNothing() throws {
        let folder = try TestData.temporaryFolder()
        defer { TestData.cleanUp(folder) }
        let path = folder.appendingPathComponent("out.txt").path
        try "previous".write(toFile: path, atomically: true, encoding: .utf8)
        let sink = try AtomicFileSink(path: path)
        try sink.write(Array("partial".utf8))
        sink.abandon()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "previous")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["out.txt"])
    }

    @Test func missingFolderIsAClearError() {
        #expect(throws: PipelineError.unwritableOutput(path: "/nonexistent/out.txt", reason: "No such file or directory")) {
            try AtomicFileSink(path: "/nonexistent/out.txt")
        }
    }

    @Test func fullDiskIsAnErrorNotASilentTruncation() throws {
        // /dev/full accepts the open but fails every write with ENOSPC: the sink must say so, naming the path.
        let sink = try outputSink(path: "/dev/full")
        #expect(sink is DeviceSink)
        #expect {
            try sink.write([UInt8](repeating: 0, count: 1 << 16))
        } throws: { error in
            guard case .unwritableOutput("/dev/full", let reason) = error as? PipelineError else { return false }
            return reason.contains("No space left on device")
        }
        sink.abandon()
    }

    @Test func outputsPublishedTogetherAppearOnlyWhenAllAreComplete() throws {
        let folder = try TestData.temporaryFolder()
        defer { TestData.cleanUp(folder) }
        let (a, b) = (folder.appendingPathComponent("a.txt").path, folder.appendingPathComponent("b.txt").path)
        let files = PublishedTogether()
        let first = try files.sink(path: a), second = try files.sink(path: b)
        try first.write(Array("one".utf8))
        try first.finish()
        #expect(!FileManager.default.fileExists(atPath: a), "complete, but not published before the others")
        try second.write(Array("two".utf8))
        try second.finish()
        try files.publish()
        #expect(try String(contentsOfFile: a, encoding: .utf8) == "one" && String(contentsOfFile: b, encoding: .utf8) == "two")
        // Abandoned: nothing appears, nothing is left.
        let again = PublishedTogether()
        let c = try again.sink(path: folder.appendingPathComponent("c.txt").path)
        try c.write([1])
        try c.finish()
        again.abandon()
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["a.txt", "b.txt"])
    }

    @Test func stalePartialFilesOfDeadProcessesAreRemoved() throws {
        let folder = try TestData.temporaryFolder()
        defer { TestData.cleanUp(folder) }
        // A pid far above the kernel's limit (4,194,304) is never running; this test's own pid is.
        let stale = folder.appendingPathComponent(".out.txt.dptext-99999999.partial").path
        let live = folder.appendingPathComponent(".out.txt.dptext-\(getpid()).partial").path
        let other = folder.appendingPathComponent(".notes.partial").path
        for path in [stale, live, other] { try Data("x".utf8).write(to: URL(fileURLWithPath: path)) }
        AtomicFileSink.removeStalePartials(in: folder.path)
        #expect(!FileManager.default.fileExists(atPath: stale))
        #expect(FileManager.default.fileExists(atPath: live) && FileManager.default.fileExists(atPath: other))
    }
}
