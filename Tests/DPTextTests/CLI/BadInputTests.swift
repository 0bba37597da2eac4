import Foundation
import Testing
@testable import DPText

/// Every kind of bad input `dptext privatize` meets in the wild: the exit
/// status, a message on stderr that names the problem (file, line) and what
/// to do, and no output file — complete or partial — left behind.
@Suite("Bad input: clear errors, nothing half-written", .serialized)
struct BadInputTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        /// Files to create in the case's folder (name → bytes).
        let files: [String: [UInt8]]
        /// Arguments; `$F/` stands for the case's folder.
        let arguments: [String]
        let status: Int32
        /// Fragments stderr must contain (`$F/` replaced).
        let messages: [String]
        var testDescription: String { name }
    }

    static let text = Array("The cat sat on the mat.\n".utf8)

    /// A damaged store on which libhdf5 itself crashes (found by fuzzing).
    static func libhdf5Issue(_ name: String) -> String {
        TestData.repository.appendingPathComponent("Tools/fuzz/libhdf5-issues/\(name)").path
    }

    static let cases: [Case] = [
        Case(name: "text in another encoding (Latin-1)", files: ["in.txt": Array("caf".utf8) + [0xE9] + Array(" au lait, na".utf8) + [0xEF] + Array("ve\n".utf8)],
             arguments: ["$F/in.txt", "-o", "$F/out.txt", "--epsilon", "10"], status: 65,
             messages: ["$F/in.txt: ", "2 runs of bytes that are not UTF-8", "convert the input to UTF-8"]),
        Case(name: "binary file with NUL bytes", files: ["in.bin": (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 2654435761 >> 7) }],
             arguments: ["$F/in.bin", "-o", "$F/out.txt", "--epsilon", "10"], status: 65,
             messages: ["$F/in.bin: ", "not UTF-8", "--max-unprotected-fraction"]),
        Case(name: "OOV words kept above the limit", files: ["in.txt": Array("zzqxv wwkrp the cat\n".utf8)],
             arguments: ["$F/in.txt", "-o", "$F/out.txt", "--epsilon", "10", "--oov", "keep"], status: 65,
             messages: ["$F/in.txt: 50.00 %", "2 out-of-vocabulary words under --oov keep", "Use --oov unk"]),
        Case(name: "JSONL: not JSON", files: ["in.jsonl": Array("{\"text\": \"fine\"}\n{\"text\": \"broken\"\n".utf8)],
             arguments: ["$F/in.jsonl", "-o", "$F/out.jsonl", "--format", "jsonl", "--epsilon", "10"], status: 65,
             messages: ["$F/in.jsonl:2: ", "--on-error skip"]),
        Case(name: "JSONL: not an object", files: ["in.jsonl": Array("[\"text\", \"fine\"]\n".utf8)],
             arguments: ["$F/in.jsonl", "-o", "$F/out.jsonl", "--format", "jsonl", "--epsilon", "10"], status: 65,
             messages: ["$F/in.jsonl:1: ", "--on-error skip"]),
        Case(name: "JSONL: field missing", files: ["in.jsonl": Array("{\"body\": \"the cat\"}\n".utf8)],
             arguments: ["$F/in.jsonl", "-o", "$F/out.jsonl", "--format", "jsonl", "--epsilon", "10"], status: 65,
             messages: ["$F/in.jsonl:1: ", "text", "--on-error skip"]),
        Case(name: "JSONL: field not a string", files: ["in.jsonl": Array("{\"text\": 42}\n".utf8)],
             arguments: ["$F/in.jsonl", "-o", "$F/out.jsonl", "--format", "jsonl", "--epsilon", "10"], status: 65,
             messages: ["$F/in.jsonl:1: ", "not a string", "--on-error skip"]),
        Case(name: "JSONL skipped records above the limit", files: ["in.jsonl": Array("{\"text\": \"the cat\"}\n{\"text\": 42, \"note\": \"the dog sat\"}\n".utf8)],
             arguments: ["$F/in.jsonl", "-o", "$F/out.jsonl", "--format", "jsonl", "--epsilon", "10", "--on-error", "skip"],
             status: 65, messages: ["$F/in.jsonl:2: ", "skipped records", "--max-unprotected-fraction"]),
        Case(name: "missing input", files: [:], arguments: ["$F/nope.txt", "-o", "$F/out.txt", "--epsilon", "10"],
             status: 66, messages: ["$F/nope.txt: cannot be read (no such file)"]),
        Case(name: "unreadable input", files: [:], arguments: ["/proc/self/mem", "-o", "$F/out.txt", "--epsilon", "10"],
             status: 66, messages: ["/proc/self/mem: cannot be read (Input/output error). Check that it is a readable file."]),
        Case(name: "output in a folder that cannot be written", files: ["in.txt": text],
             arguments: ["$F/in.txt", "-o", "/sys/dptext-out.txt", "--epsilon", "10"], status: 73,
             messages: ["/sys/dptext-out.txt: cannot be written (Permission denied)", "is writable"]),
        Case(name: "a folder as input", files: ["sub/x.txt": text], arguments: ["$F/sub", "-o", "$F/out.txt", "--epsilon", "10"],
             status: 66, messages: ["$F/sub: cannot be read (it is a directory)"]),
        Case(name: "output in a missing folder", files: ["in.txt": text],
             arguments: ["$F/in.txt", "-o", "$F/missing/out.txt", "--epsilon", "10"], status: 73,
             messages: ["$F/missing/out.txt: cannot be written", "Check that the folder exists"]),
        Case(name: "output is a folder", files: ["in.txt": text, "sub/x.txt": text],
             arguments: ["$F/in.txt", "-o", "$F/sub", "--epsilon", "10"], status: 73,
             messages: ["$F/sub: cannot be written (it is a directory"]),
        Case(name: "output is the input", files: ["in.txt": text], arguments: ["$F/in.txt", "-o", "$F/in.txt", "--epsilon", "10"],
             status: 73, messages: ["$F/in.txt: the output would overwrite an input", "Choose another output path"]),
        Case(name: "disk full", files: ["in.txt": Array(String(repeating: "The cat sat on the mat.\n", count: 20_000).utf8)],
             arguments: ["$F/in.txt", "-o", "/dev/full", "--mechanism", "identity"], status: 73,
             messages: ["/dev/full: cannot be written", "has space"]),
        Case(name: "store: truncated", files: ["in.txt": text],
             arguments: ["$F/in.txt", "-o", "$F/out.txt", "--epsilon", "10", "--embeddings", TestData.fixture("truncated.h5")],
             status: 65, messages: [TestData.fixture("truncated.h5") + ": "]),
        Case(name: "store: not HDF5", files: ["in.txt": text],
             arguments: ["$F/in.txt", "-o", "$F/out.txt", "--epsilon", "10", "--embeddings", TestData.fixture("not-hdf5.h5")],
             status: 65, messages: [TestData.fixture("not-hdf5.h5") + ": "]),
        Case(name: "store: empty file", files: ["in.txt": text],
             arguments: ["$F/in.txt", "-o", "$F/out.txt", "--epsilon", "10", "--embeddings", TestData.fixture("empty.h5")],
             status: 65, messages: [TestData.fixture("empty.h5") + ": "]),
        Case(name: "store: NaN", files: ["in.txt": text],
             arguments: ["$F/in.txt", "-o", "$F/out.txt", "--epsilon", "10", "--embeddings", TestData.fixture("nan.h5")],
             status: 65, messages: [TestData.fixture("nan.h5") + ": ", "row 3", "Fix or remove that row"]),
        Case(name: "store: Inf", files: ["in.txt": text],
             arguments: ["$F/in.txt", "-o", "$F/out.txt", "--epsilon", "10", "--embeddings", TestData.fixture("inf.h5")],
             status: 65, messages: [TestData.fixture("inf.h5") + ": ", "row 4"]),
        Case(name: "store: mismatched shapes", files: ["in.txt": text],
             arguments: ["$F/in.txt", "-o", "$F/out.txt", "--epsilon", "10", "--embeddings", TestData.fixture("count-mismatch.h5")],
             status: 65, messages: [TestData.fixture("count-mismatch.h5") + ": "]),
        Case(name: "store: duplicate words", files: ["in.txt": text],
             arguments: ["$F/in.txt", "-o", "$F/out.txt", "--epsilon", "10", "--embeddings", TestData.fixture("duplicate-word.h5")],
             status: 65, messages: [TestData.fixture("duplicate-word.h5") + ": ", "cat"]),
        Case(name: "store that crashes libhdf5 (compact dataset)", files: ["in.txt": text],
             arguments: ["$F/in.txt", "-o", "$F/out.txt", "--epsilon", "10", "--embeddings", Self.libhdf5Issue("segv-compact-read.h5")],
             status: 65, messages: [Self.libhdf5Issue("segv-compact-read.h5") + ": libhdf5 crashed reading it", "Rebuild it"]),
        Case(name: "store that crashes libhdf5 (global heap)", files: ["in.txt": text],
             arguments: ["$F/in.txt", "-o", "$F/out.txt", "--epsilon", "10", "--embeddings", Self.libhdf5Issue("segv-global-heap-read.h5")],
             status: 65, messages: [Self.libhdf5Issue("segv-global-heap-read.h5") + ": libhdf5 crashed reading it"]),
        Case(name: "store: missing", files: ["in.txt": text],
             arguments: ["$F/in.txt", "-o", "$F/out.txt", "--epsilon", "10", "--embeddings", "$F/none.h5"],
             status: 66, messages: ["$F/none.h5"]),
        Case(name: "ε = 0", files: ["in.txt": text], arguments: ["$F/in.txt", "-o", "$F/out.txt", "--epsilon", "0"],
             status: 64, messages: ["--epsilon must be a number in [1e-06, 1e+09]"]),
        Case(name: "ε < 0", files: ["in.txt": text], arguments: ["$F/in.txt", "-o", "$F/out.txt", "--epsilon=-3"],
             status: 64, messages: ["--epsilon must be a number in [1e-06, 1e+09]"]),
        Case(name: "ε = NaN", files: ["in.txt": text], arguments: ["$F/in.txt", "-o", "$F/out.txt", "--epsilon", "nan"],
             status: 64, messages: ["--epsilon must be a number in [1e-06, 1e+09]"]),
        Case(name: "ε = inf", files: ["in.txt": text], arguments: ["$F/in.txt", "-o", "$F/out.txt", "--epsilon", "inf"],
             status: 64, messages: ["--epsilon must be a number in [1e-06, 1e+09]"]),
        Case(name: "ε not a number", files: ["in.txt": text], arguments: ["$F/in.txt", "-o", "$F/out.txt", "--epsilon", "ten"],
             status: 64, messages: ["--epsilon", "ten"]),
        Case(name: "unknown mechanism", files: ["in.txt": text],
             arguments: ["$F/in.txt", "-o", "$F/out.txt", "--mechanism", "magic", "--epsilon", "1"], status: 64,
             messages: ["magic", "--mechanism"]),
        Case(name: "unknown option", files: ["in.txt": text], arguments: ["$F/in.txt", "-o", "$F/out.txt", "--epsilon", "1", "--bogus"],
             status: 64, messages: ["Unknown option '--bogus'", "--help"]),
        Case(name: "option of another mechanism", files: ["in.txt": text],
             arguments: ["$F/in.txt", "-o", "$F/out.txt", "--epsilon", "1", "--max-noise", "3"], status: 64,
             messages: ["--max-noise applies to --mechanism truncated-laplace"]),
        Case(name: "HNSW decoding for a candidate-set mechanism", files: ["in.txt": text],
             arguments: ["$F/in.txt", "-o", "$F/out.txt", "--mechanism", "truncated-gumbel", "--epsilon", "100", "--decoder", "hnsw",
                         "--allow-unverified"],
             status: 64, messages: ["--decoder hnsw"]),
        Case(name: "a mechanism with an unverified guarantee, not allowed", files: ["in.txt": text],
             arguments: ["$F/in.txt", "-o", "$F/out.txt", "--mechanism", "truncated-gumbel", "--epsilon", "100"],
             status: 64, messages: ["truncated-gumbel has an unverified guarantee", "Pass --allow-unverified"]),
    ]

    @Test(arguments: cases)
    func failsClearlyAndLeavesNothing(_ example: Case) throws {
        let folder = try TestData.temporaryFolder()
        defer { TestData.cleanUp(folder) }
        for (name, bytes) in example.files {
            let url = folder.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url)
        }
        let before = try Self.listing(folder)
        let prefix = folder.path + "/"
        let outcome = try CommandLineTool.run(["privatize"] + example.arguments.map { $0.replacingOccurrences(of: "$F/", with: prefix) })
        #expect(outcome.status == example.status, "\(outcome.stderr)")
        for message in example.messages.map({ $0.replacingOccurrences(of: "$F/", with: prefix) }) {
            #expect(outcome.stderr.contains(message), "missing “\(message)” in: \(outcome.stderr)")
        }
        #expect(try Self.listing(folder) == before, "no output and no partial file may remain")
        for (name, bytes) in example.files {
            #expect(Array(try Data(contentsOf: folder.appendingPathComponent(name))) == bytes, "input \(name) unchanged")
        }
    }

    @Test func undecodableBytesPassThroughUnchangedWhenAllowed() throws {
        let folder = try TestData.temporaryFolder()
        defer { TestData.cleanUp(folder) }
        let bytes: [UInt8] = Array("café ".utf8) + [0xE9, 0x00, 0xFF, 0xFE] + Array(" the cat\r\nmixed\nno newline".utf8)
        let input = folder.appendingPathComponent("in.txt"), report = folder.appendingPathComponent("report.json")
        try Data(bytes).write(to: input)
        let outcome = try CommandLineTool.run(["privatize", input.path, "--mechanism", "identity",
                                               "--max-unprotected-fraction", "1", "--report", report.path])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout == bytes)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: report)) as! [String: Any]
        let counts = json["counts"] as! [String: Any]
        #expect(counts["undecodable_runs"] as? Int == 2, "é alone, then FF FE after the NUL")
        let privacy = json["privacy"] as! [String: Any]
        #expect((privacy["not_protected"] as! [String]).contains { $0.contains("not valid UTF-8") })
    }

    @Test func skippedRecordsAreWrittenUnchangedAndListed() throws {
        let folder = try TestData.temporaryFolder()
        defer { TestData.cleanUp(folder) }
        let lines = ["{\"text\": \"The cat sat\"}", "{\"text\": 42}", "not json", "{\"text\": \"on the mat\"}"]
        let input = folder.appendingPathComponent("in.jsonl"), output = folder.appendingPathComponent("out.jsonl")
        let report = folder.appendingPathComponent("report.json")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: input)
        let outcome = try CommandLineTool.run(["privatize", input.path, "-o", output.path, "--format", "jsonl",
                                               "--mechanism", "identity", "--on-error", "skip",
                                               "--max-unprotected-fraction", "1", "--report", report.path])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(try Data(contentsOf: output) == Data(contentsOf: input))
        #expect(outcome.stderr.contains("\(input.path):2: ") && outcome.stderr.contains("\(input.path):3: "))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: report)) as! [String: Any]
        let counts = json["counts"] as! [String: Any]
        #expect(counts["skipped_records"] as? Int == 2 && counts["records"] as? Int == 2)
        let skipped = counts["skipped"] as! [[String: Any]]
        #expect(skipped.map { $0["line"] as? Int } == [2, 3])
    }

    @Test func emptyInputGivesAnEmptyOutput() throws {
        let folder = try TestData.temporaryFolder()
        defer { TestData.cleanUp(folder) }
        let input = folder.appendingPathComponent("in.txt"), output = folder.appendingPathComponent("out.txt")
        try Data().write(to: input)
        let outcome = try CommandLineTool.run(["privatize", input.path, "-o", output.path, "--epsilon", "10"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(try Data(contentsOf: output).isEmpty)
    }

    /// Every path under `folder`, hidden files included, sorted.
    static func listing(_ folder: URL) throws -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: folder.path) else { return [] }
        return (enumerator.allObjects as? [String] ?? []).sorted()
    }
}
