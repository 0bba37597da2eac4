import Foundation
import Testing
@testable import DPText

@Suite("dptext privatize, end to end", .serialized)
struct PrivatizeCommandTests {
    static let sample = TestData.repository.appendingPathComponent("Corpora/mixed-layout.txt").path

    private func folderContents(_ folder: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
    }

    @Test func seededRunsAreByteIdenticalAcrossRunsAndThreadCounts() throws {
        let arguments = ["privatize", Self.sample, "--epsilon", "10", "--seed", "42"]
        let first = try CommandLineTool.run(arguments + ["--threads", "1"])
        let second = try CommandLineTool.run(arguments + ["--threads", "1"])
        let twoThreads = try CommandLineTool.run(arguments + ["--threads", "2"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout == second.stdout)
        #expect(first.stdout == twoThreads.stdout)
        #expect(first.stdout != Array(try Data(contentsOf: URL(fileURLWithPath: Self.sample))))
    }

    @Test func writesTheReportAndTheOutputFile() throws {
        let folder = try TestData.temporaryFolder()
        defer { TestData.cleanUp(folder) }
        let output = folder.appendingPathComponent("out.txt").path
        let report = folder.appendingPathComponent("report.json").path
        let outcome = try CommandLineTool.run(["privatize", Self.sample, "-o", output, "--epsilon", "5",
                                               "--seed", "1", "--report", report])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report))) as! [String: Any]
        let mechanism = json["mechanism"] as! [String: Any]
        let guarantee = mechanism["guarantee"] as! [String: Any]
        #expect(guarantee["kind"] as? String == "pure-metric" && guarantee["epsilon"] as? Double == 5)
        #expect((json["randomness"] as! [String: Any])["seeded"] as? Bool == true)
        let embeddings = json["embeddings"] as! [String: Any]
        #expect(embeddings["sha256"] as? String == "70fa604d49a758c21793ed70efb773ec1306db9df7abe34d0661b15652a49e3a")
        let counts = json["counts"] as! [String: Any]
        #expect(counts["records"] as? Int == 181 && counts["tokens"] as! Int > 1000)
        #expect(counts["skipped"] as? [Any] != nil && counts["undecodable_runs"] as? Int == 0)
        #expect(try folderContents(folder) == ["out.txt", "report.json"])
    }

    @Test func writesAPublicReportFromTheOutputAlone() throws {
        let folder = try TestData.temporaryFolder()
        defer { TestData.cleanUp(folder) }
        let output = folder.appendingPathComponent("out.txt").path
        let report = folder.appendingPathComponent("private.json").path
        let published = folder.appendingPathComponent("public.json").path
        let outcome = try CommandLineTool.run(["privatize", Self.sample, "-o", output, "--epsilon", "8", "--seed", "3",
                                               "--report", report, "--report-public", published])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        func object(_ path: String) throws -> [String: Any] {
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        }
        let full = try object(report), open = try object(published)
        #expect((full["notice"] as! String).contains("computed from the private input and is not privatized"))
        #expect(open["counts"] == nil && open["inputs"] == nil && open["seconds"] == nil)
        #expect(((open["privacy"] as! [String: Any])["not_protected"] as! [String]).contains { $0.contains("seed") })
        let written = Array(try Data(contentsOf: URL(fileURLWithPath: output)))
        let counts = open["output"] as! [String: Int]
        #expect(counts["bytes"] == written.count && counts["records"] == 181)
        #expect(counts["words"] == written.withUnsafeBufferPointer { WordTokenizer.spans(in: $0).count })
        #expect((open["mechanism"] as! [String: Any])["guarantee"] as? NSDictionary
                == (full["mechanism"] as! [String: Any])["guarantee"] as? NSDictionary)
        // A report path that names an input is refused like any output.
        let clash = try CommandLineTool.run(["privatize", Self.sample, "-o", output, "--epsilon", "8",
                                             "--report-public", Self.sample])
        #expect(clash.status == 73 && clash.stderr.contains("would overwrite an input"))
    }

    /// A client streaming records through one process (the Python client)
    /// must get each answer while the input stays open.
    @Test func answersRecordsFromAPipeWithoutWaitingForMore() throws {
        _ = CommandLineTool.ignoreBrokenPipes
        let process = Process()
        process.executableURL = CommandLineTool.binary
        process.arguments = ["privatize", "--format", "jsonl", "--epsilon", "10", "--seed", "1", "--record-key", "id"]
        process.environment = ["DPTEXT_EMBEDDINGS": TestData.bundledStore]
        let input = Pipe(), output = Pipe()
        (process.standardInput, process.standardOutput) = (input, output)
        try process.run()
        var answers: [String] = []
        for (index, text) in ["the first record", "and the second"].enumerated() {
            try input.fileHandleForWriting.write(contentsOf: Data(#"{"id": \#(index), "text": "\#(text)"}"#.utf8 + [0x0A]))
            let line = try #require(Self.readLine(output.fileHandleForReading, seconds: 60), "no answer to record \(index)")
            answers.append(line)
        }
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0 && answers.count == 2)
        // The same as one run over both records: keyed streams do not depend on the chunks.
        let batch = try CommandLineTool.run(process.arguments!, stdin: Array(
            (#"{"id": 0, "text": "the first record"}"# + "\n" + #"{"id": 1, "text": "and the second"}"# + "\n").utf8))
        #expect(String(decoding: batch.stdout, as: UTF8.self) == answers.map { $0 + "\n" }.joined())
    }

    /// One line from `handle`, or nil when none arrives within `seconds`.
    static func readLine(_ handle: FileHandle, seconds: Double) -> String? {
        final class Box: @unchecked Sendable { var bytes: [UInt8] = [] }
        let box = Box(), done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            while let byte = try? handle.read(upToCount: 1)?.first, byte != 0x0A { box.bytes.append(byte) }
            done.signal()
        }
        guard done.wait(timeout: .now() + seconds) == .success else { return nil }
        return String(decoding: box.bytes, as: UTF8.self)
    }

    @Test(arguments: [
        (["--record-key", "id"], "--record-key needs --format jsonl"),
        (["--format", "jsonl", "--record-key", "text"], "--record-key must name another field than --field text"),
    ])
    func recordKeyUsage(extra: [String], message: String) throws {
        let outcome = try CommandLineTool.run(["privatize", "--epsilon", "1"] + extra)
        #expect(outcome.status == 64 && outcome.stderr.contains(message), "\(outcome.stderr)")
    }

    @Test func duplicateRecordKeysFailTheRunWithBothLines() throws {
        let folder = try TestData.temporaryFolder()
        defer { TestData.cleanUp(folder) }
        let input = folder.appendingPathComponent("in.jsonl").path
        try (#"{"id": "a", "text": "one"}"# + "\n" + #"{"id": "b", "text": "two"}"# + "\n" + #"{"id": "a", "text": "three"}"# + "\n")
            .write(toFile: input, atomically: true, encoding: .utf8)
        let output = folder.appendingPathComponent("out.jsonl").path
        let outcome = try CommandLineTool.run(["privatize", input, "-o", output, "--format", "jsonl", "--epsilon", "1",
                                               "--seed", "2", "--record-key", "id"])
        #expect(outcome.status == 65)
        #expect(outcome.stderr.contains("\(input):3: record key \"a\" is also the key of \(input):1"), "\(outcome.stderr)")
        #expect(try folderContents(folder) == ["in.jsonl"])
        let missing = try CommandLineTool.run(["privatize", "--format", "jsonl", "--epsilon", "1", "--record-key", "id"],
                                              stdin: Array(#"{"text": "no key"}"#.utf8))
        #expect(missing.status == 65 && missing.stderr.contains("<stdin>:1: the record has no top-level key field \"id\""))
    }

    @Test func identityThroughStandardInputAndOutputIsLossless() throws {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: Self.sample)))
        let outcome = try CommandLineTool.run(["privatize", "--mechanism", "identity"], stdin: bytes)
        #expect(outcome.status == 0 && outcome.stdout == bytes)
    }

    @Test func refusesToOverwriteAnInput() throws {
        let folder = try TestData.temporaryFolder()
        defer { TestData.cleanUp(folder) }
        let input = folder.appendingPathComponent("in.txt").path
        try "the cat\n".write(toFile: input, atomically: true, encoding: .utf8)
        let outcome = try CommandLineTool.run(["privatize", input, "-o", input, "--epsilon", "1"])
        #expect(outcome.status == 73)
        #expect(outcome.stderr.contains("\(input): the output would overwrite an input"))
        #expect(try String(contentsOfFile: input, encoding: .utf8) == "the cat\n")
    }

    @Test func badRecordLeavesNoOutputFile() throws {
        let folder = try TestData.temporaryFolder()
        defer { TestData.cleanUp(folder) }
        let input = folder.appendingPathComponent("in.jsonl").path
        try "{\"text\": \"fine\"}\n[1, 2]\n".write(toFile: input, atomically: true, encoding: .utf8)
        let output = folder.appendingPathComponent("out.jsonl").path
        let outcome = try CommandLineTool.run(["privatize", input, "-o", output, "--format", "jsonl", "--epsilon", "1"])
        #expect(outcome.status == 65)
        #expect(outcome.stderr.contains("\(input):2: "))
        #expect(try folderContents(folder) == ["in.jsonl"])
    }

    @Test(arguments: [
        (["privatize", "--epsilon", "0"], Int32(64), "--epsilon must be a number in [1e-06, 1e+09]"),
        (["privatize", "--epsilon", "nan"], 64, "--epsilon must be a number in [1e-06, 1e+09]"),
        (["privatize", "--epsilon", "ten"], 64, "--epsilon"),
        (["privatize"], 64, "--mechanism laplace needs --epsilon"),
        (["privatize", "--mechanism", "magic", "--epsilon", "1"], 64, "magic"),
        (["privatize", "/nonexistent/in.txt", "--epsilon", "1"], 66, "/nonexistent/in.txt: cannot be read (no such file)"),
        (["privatize", "--epsilon", "1", "-o", "/nonexistent/dir/out.txt"], 73, "/nonexistent/dir/out.txt: cannot be written"),
        (["neighbors", "xyzzyq"], 65, "'xyzzyq' is not in the vocabulary"),
    ])
    func badInvocationsFailClearly(arguments: [String], status: Int32, message: String) throws {
        let outcome = try CommandLineTool.run(arguments, stdin: Array("the cat\n".utf8))
        #expect(outcome.status == status, "\(outcome.stderr)")
        #expect(outcome.stderr.contains(message), "\(outcome.stderr)")
    }

    @Test(arguments: [(Int32(SIGINT), Int32(130)), (Int32(SIGTERM), Int32(143)), (Int32(SIGHUP), Int32(129))])
    func interruptLeavesNoPartialOutput(signal: Int32, status: Int32) throws {
        let folder = try TestData.temporaryFolder()
        defer { TestData.cleanUp(folder) }
        // Standard input that never ends: the run is still going when the signal arrives.
        let output = folder.appendingPathComponent("out.txt").path
        _ = CommandLineTool.ignoreBrokenPipes
        let process = Process()
        process.executableURL = CommandLineTool.binary
        process.arguments = ["privatize", "-o", output, "--epsilon", "1"]
        process.environment = ["DPTEXT_EMBEDDINGS": TestData.bundledStore]
        let input = Pipe()
        process.standardInput = input
        process.standardError = Pipe()
        try process.run()
        try input.fileHandleForWriting.write(contentsOf: Data(String(repeating: "the cat sat\n", count: 20_000).utf8))
        // Wait until the temporary file exists (the run has started writing).
        let deadline = Date().addingTimeInterval(30)
        while try folderContents(folder).isEmpty && Date() < deadline { usleep(20_000) }
        #expect(try folderContents(folder).count == 1)
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        #expect(process.terminationStatus == status)
        #expect(try folderContents(folder).isEmpty)
    }
}
