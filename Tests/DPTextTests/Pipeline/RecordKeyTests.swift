import Foundation
import Testing
@testable import DPText

/// `--record-key`: a seeded record's noise comes from the seed and its key,
/// so its output does not depend on where it sits; keys must be unique.
@Suite("Record-keyed noise streams")
struct RecordKeyTests {
    static func pipeline(key: String? = "id", noise: NoiseSource = .seeded(7), chunkSize: Int = 4096,
                         threads: Int = 2, onError: RecordErrorPolicy = .fail,
                         format: RecordFormat = .jsonl(field: "text")) throws -> PrivatizationPipeline {
        let laplace = try MultivariateLaplaceMechanism(epsilon: 6, store: PipelineTests.store)
        return PrivatizationPipeline(
            rewriter: TextRewriter(store: PipelineTests.store, policy: .unk),
            privatizer: try Privatizer(mechanism: laplace, decoder: PipelineTests.index),
            noise: noise, format: format, threads: threads, chunkSize: chunkSize, onError: onError, recordKey: key)
    }

    static func records(_ keys: [String]) -> [String] {
        keys.enumerated().map { #"{"id": \#($1), "text": "the people who wrote it are private \#($0)", "n": 1}"# }
    }

    static func lines(_ output: [UInt8]) -> [String] {
        String(decoding: output, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    @Test("a record's output depends on its key and text, not its position, file, chunk or thread")
    func outputFollowsTheKey() throws {
        let keys = ["1", "2", "\"a\"", "\"b\"", "17", "-3", "\"7\""]
        let all = Self.records(keys)
        let whole = Self.lines(try PipelineTests.run(try Self.pipeline(), Array((all.joined(separator: "\n") + "\n").utf8)).output)
        #expect(whole.count == keys.count)
        // Reversed, in another pipeline, one record per chunk, one thread: each record comes out the same.
        let reversed = Self.lines(try PipelineTests.run(try Self.pipeline(chunkSize: 1, threads: 1),
                                                        Array(all.reversed().joined(separator: "\n").utf8)).output)
        #expect(reversed == Array(whole.reversed()))
        let part = Self.lines(try PipelineTests.run(try Self.pipeline(), Array(all[4...].joined(separator: "\n").utf8)).output)
        #expect(part == Array(whole[4...]))
        // Keyed by position instead, record 4 at line 1 draws another stream.
        let positional = Self.lines(try PipelineTests.run(try Self.pipeline(key: nil), Array(all[4...].joined(separator: "\n").utf8)).output)
        #expect(positional[0] != whole[4])
        // Another seed, other noise; the string "7" and the integer 7 are different keys.
        let otherSeed = Self.lines(try PipelineTests.run(try Self.pipeline(noise: .seeded(8)), Array(all[0].utf8)).output)
        #expect(otherSeed[0] != whole[0])
        let text = "the people who wrote it are private and the people who read it are not"
        func privatized(_ key: String) throws -> String? {
            let output = try PipelineTests.run(try Self.pipeline(), Array(#"{"id": \#(key), "text": "\#(text)"}"#.utf8)).output
            return try JSONLine.locate(field: "text", in: output[...]).value
        }
        #expect(try privatized("7") != privatized(#""7""#))
        #expect(try privatized("7") == privatized("7"))
    }

    @Test("two fields of one record, privatized with one seed, draw independent noise (keyed or by position)",
          arguments: ["id", nil] as [String?])
    func fieldsDrawIndependentNoise(key: String?) throws {
        let text = (0..<40).map { "the people who wrote it are private \($0)" }.joined(separator: " ")
        let record = Array(#"{"id": 1, "title": "\#(text)", "body": "\#(text)"}"#.utf8) + [0x0A]
        func privatized(_ field: String) throws -> String? {
            let output = try PipelineTests.run(try Self.pipeline(key: key, format: .jsonl(field: field)), record).output
            return try JSONLine.locate(field: field, in: output[...]).value
        }
        let title = try privatized("title"), body = try privatized("body")
        #expect(title != text && body != text)
        #expect(title != body, "the same text in two fields came out the same: one noise stream was used twice")
        #expect(try privatized("title") == title, "still reproducible")
    }

    @Test("keys are typed and canonical: \"7\" ≠ 7, -0 = 0")
    func keyEncoding() throws {
        func key(_ json: String) throws -> RecordKey { try RecordKey.locate(field: "id", in: Array(json.utf8)[...]) }
        #expect(try key(#"{"id": 7}"#) != key(#"{"id": "7"}"#))
        #expect(try key(#"{"id": -0}"#) == key(#"{"id": 0}"#))
        #expect(try key(#"{"id": "\u0041"}"#) == key(#"{"id": "A"}"#))
        #expect(try key(#"{"id": 12}"#).text == "12" && key(#"{"id": "x\"y"}"#).text == #""x\"y""#)
        func first(_ json: String, seed: UInt64) throws -> UInt64 {
            var stream = try key(json).stream(seed: seed, field: nil)
            return stream.next()
        }
        #expect(try first(#"{"id": 1}"#, seed: 1) != first(#"{"id": 2}"#, seed: 1))
        #expect(try first(#"{"id": 1}"#, seed: 1) != first(#"{"id": 1}"#, seed: 2))
        #expect(try first(#"{"id": 1}"#, seed: 1) == first(#"{ "id" : 1 , "x": 0}"#, seed: 1))
        for (json, found) in [(#"{"id": 1.5}"#, "1.5"), (#"{"id": 1e3}"#, "1e3"), (#"{"id": true}"#, "true"),
                              (#"{"id": null}"#, "null"), (#"{"id": [1]}"#, "[1]"), (#"{"id": {"a": 1}}"#, #"{"a": 1}"#)] {
            #expect {
                try key(json)
            } throws: { error in
                guard case RecordKeyError.notAScalar("id", let shown) = error else { return false }
                return shown == found
            }
        }
        #expect(throws: RecordKeyError.self) { try key(#"{"other": 1}"#) }
        #expect(throws: RecordKeyError.self) { try key(#"{"id": 1, "id": 2}"#) }
    }

    @Test("missing and non-scalar keys are bad records; a duplicate key fails the run and names both lines")
    func badKeys() throws {
        let missing = #"{"id": 1, "text": "a"}"# + "\n" + #"{"text": "b"}"# + "\n"
        #expect(throws: PipelineError.invalidRecord(
            path: "input", line: 2,
            detail: #"the record has no top-level key field "id" (the record key); every record needs one"#)) {
            _ = try Self.runNamed(missing)
        }
        // Under --on-error skip it is written unchanged and counted, like any bad record.
        let skipped = try PipelineTests.run(try Self.pipeline(onError: .skip), Array(missing.utf8))
        #expect(skipped.counts.skippedRecords == 1 && Self.lines(skipped.output)[1] == #"{"text": "b"}"#)
        // Duplicates: never skipped, however far apart (here in different chunks).
        let duplicate = (Self.records(["1", "2", "3"]) + [#"{"id": 2, "text": "again"}"#]).joined(separator: "\n")
        #expect(throws: PipelineError.duplicateRecordKey(path: "input", line: 4, key: "2", firstPath: "input", firstLine: 2)) {
            _ = try Self.runNamed(duplicate, chunkSize: 1, onError: .skip)
        }
    }

    @Test("a key may not come back in a later input of the same run")
    func duplicatesAcrossInputs() throws {
        let pipeline = try Self.pipeline()
        func run(_ text: String, input: Int, name: String) throws {
            let folder = try TestData.temporaryFolder()
            defer { TestData.cleanUp(folder) }
            let path = folder.appendingPathComponent(name).path
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            var reader = try LineReader(handle: FileHandle(forReadingAtPath: path)!, name: name)
            _ = try pipeline.run(&reader, input: input, into: MemoryOutputSink())
        }
        try run(Self.records(["1", "2"]).joined(separator: "\n"), input: 0, name: "first.jsonl")
        #expect(throws: PipelineError.duplicateRecordKey(path: "second.jsonl", line: 2, key: "2",
                                                         firstPath: "first.jsonl", firstLine: 2)) {
            try run(Self.records(["3", "2"]).joined(separator: "\n"), input: 1, name: "second.jsonl")
        }
    }

    /// `PipelineTests.run`, with the input file named `input` in errors.
    static func runNamed(_ text: String, chunkSize: Int = 4096, onError: RecordErrorPolicy = .fail) throws -> [UInt8] {
        let folder = try TestData.temporaryFolder()
        defer { TestData.cleanUp(folder) }
        let path = folder.appendingPathComponent("input").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        var reader = try LineReader(handle: FileHandle(forReadingAtPath: path)!, name: "input")
        let sink = MemoryOutputSink()
        _ = try Self.pipeline(chunkSize: chunkSize, onError: onError).run(&reader, input: 0, into: sink)
        return sink.bytes
    }
}
