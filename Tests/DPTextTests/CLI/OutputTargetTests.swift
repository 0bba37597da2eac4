import Foundation
import Testing
@testable import DPText

/// Where a run writes: never over an input (standard input's file
/// included), never two things into one file, devices and FIFOs written in
/// place, and every output and report published together or not at all.
@Suite("Output targets: inputs kept, one file per target, all or nothing", .serialized)
struct OutputTargetTests {
    static let text = Array("The man said that the people were here.\n".utf8)

    /// Runs `dptext arguments…` with standard input read from the file at `stdin`.
    static func run(_ arguments: [String], stdinFile: String) throws -> CommandLineTool.Outcome {
        let process = Process()
        process.executableURL = CommandLineTool.binary
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(["DPTEXT_EMBEDDINGS": TestData.bundledStore]) { $1 }
        process.standardInput = try #require(FileHandle(forReadingAtPath: stdinFile))
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let stdout = output.fileHandleForReading.readDataToEndOfFile()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return .init(status: process.terminationStatus, stdout: Array(stdout), stderr: String(decoding: stderr, as: UTF8.self))
    }

    static func listing(_ folder: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
    }

    @Test("the file behind standard input is an input: neither the output nor a report may replace it",
          arguments: [["-o"], ["--report"], ["--report-public"]])
    func standardInputIsProtected(flag: [String]) throws {
        let folder = try TestData.temporaryFolder()
        defer { TestData.cleanUp(folder) }
        let input = folder.appendingPathComponent("in.txt").path
        try Data(Self.text).write(to: URL(fileURLWithPath: input))
        let outcome = try Self.run(["privatize", "--epsilon", "10"] + flag + [input], stdinFile: input)
        #expect(outcome.status == 73 && outcome.stderr.contains(input), "\(outcome.stderr)")
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: input))) == Self.text)
        #expect(try Self.listing(folder) == ["in.txt"])
    }

    @Test("two targets that are one file are refused before any work (64)", arguments: [
        ["-o", "$F/same.txt", "--report", "$F/same.txt"],
        ["-o", "$F/existing.txt", "--report", "$F/./existing.txt"],
        ["--report", "$F/r.json", "--report-public", "$F/r.json"],
        ["-o", "$F/out.txt", "--report", "$F/link.txt"],
    ])
    func oneFileTwice(arguments: [String]) throws {
        let folder = try TestData.temporaryFolder()
        defer { TestData.cleanUp(folder) }
        try Data("keep".utf8).write(to: folder.appendingPathComponent("existing.txt"))
        try Data("keep".utf8).write(to: folder.appendingPathComponent("out.txt"))
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("link.txt").path,
                                                   withDestinationPath: folder.appendingPathComponent("out.txt").path)
        let before = try Self.listing(folder)
        let outcome = try CommandLineTool.run(["privatize", "--epsilon", "10"]
                                              + arguments.map { $0.replacingOccurrences(of: "$F", with: folder.path) },
                                              stdin: Self.text)
        #expect(outcome.status == 64 && outcome.stderr.contains("are the same file"), "\(outcome.stderr)")
        #expect(try Self.listing(folder) == before)
        #expect(try String(contentsOf: folder.appendingPathComponent("out.txt"), encoding: .utf8) == "keep")
    }

    @Test("a report to a device or a FIFO is written in place: /dev/null stays a device, a FIFO delivers it")
    func reportsToDevicesAndFIFOs() throws {
        let folder = try TestData.temporaryFolder()
        defer { TestData.cleanUp(folder) }
        var status = stat()
        let null = try CommandLineTool.run(["privatize", "--epsilon", "10", "--report", "/dev/null",
                                            "--report-public", "/dev/null"], stdin: Self.text)
        #expect(null.status == 0, "\(null.stderr)")
        #expect(stat("/dev/null", &status) == 0 && (status.st_mode & S_IFMT) == S_IFCHR)
        #expect(null.stdout.last == 0x0A && null.stdout.count > 20, "the output still goes to standard output")

        let fifo = folder.appendingPathComponent("report.fifo").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let reader = DispatchQueue.global()
        nonisolated(unsafe) var received = Data()
        let done = DispatchSemaphore(value: 0)
        reader.async {
            received = FileHandle(forReadingAtPath: fifo)?.readDataToEndOfFile() ?? Data()
            done.signal()
        }
        let outcome = try CommandLineTool.run(["privatize", "--epsilon", "10", "--report", fifo], stdin: Self.text)
        done.wait()
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(String(decoding: received, as: UTF8.self).contains("\"mechanism\""))
        #expect(stat(fifo, &status) == 0 && (status.st_mode & S_IFMT) == S_IFIFO)

        // A device that refuses the write: status 73 naming it, no raw error object.
        let full = try CommandLineTool.run(["privatize", "--epsilon", "10", "--report", "/dev/full"], stdin: Self.text)
        #expect(full.status == 73 && full.stderr.contains("/dev/full: cannot be written (No space left on device)"),
                "\(full.stderr)")
        #expect(!full.stderr.contains("NSError") && !full.stderr.contains("Domain="))
    }

    @Test("several inputs: a failing one leaves every earlier output as it was, and no partial file")
    func outputDirectoryIsAllOrNothing() throws {
        let folder = try TestData.temporaryFolder()
        defer { TestData.cleanUp(folder) }
        let out = folder.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: false)
        let a = folder.appendingPathComponent("a.txt"), b = folder.appendingPathComponent("b.txt")
        try Data(Self.text).write(to: a)
        try Data([0xFF, 0xFE, 0xFD, 0x0A]).write(to: b)  // not UTF-8: over the unprotected limit
        try Data("old".utf8).write(to: out.appendingPathComponent("a.txt"))
        let report = folder.appendingPathComponent("report.json").path
        let failed = try CommandLineTool.run(["privatize", a.path, b.path, "--output-dir", out.path, "--epsilon", "10",
                                              "--report", report])
        #expect(failed.status == 65, "\(failed.stderr)")
        #expect(try Self.listing(out) == ["a.txt"])
        #expect(try String(contentsOf: out.appendingPathComponent("a.txt"), encoding: .utf8) == "old")
        #expect(!FileManager.default.fileExists(atPath: report))

        // Both fine: both outputs and the report appear.
        try Data(Self.text).write(to: b)
        let done = try CommandLineTool.run(["privatize", a.path, b.path, "--output-dir", out.path, "--epsilon", "10",
                                            "--report", report])
        #expect(done.status == 0, "\(done.stderr)")
        #expect(try Self.listing(out) == ["a.txt", "b.txt"] && FileManager.default.fileExists(atPath: report))
    }

    @Test("a report path that cannot be written fails before any work, and the output does not appear")
    func unwritableReportFailsFirst() throws {
        let folder = try TestData.temporaryFolder()
        defer { TestData.cleanUp(folder) }
        let output = folder.appendingPathComponent("out.txt").path
        let outcome = try CommandLineTool.run(["privatize", "-o", output, "--epsilon", "10",
                                               "--report", "/proc/dptext-report.json"], stdin: Self.text)
        #expect(outcome.status == 73 && outcome.stderr.contains("/proc/dptext-report.json: cannot be written"),
                "\(outcome.stderr)")
        #expect(try Self.listing(folder).isEmpty)
    }

    @Test("report merge refuses the same report twice (by content), which would double its counts")
    func mergeRefusesDuplicates() throws {
        let folder = try TestData.temporaryFolder()
        defer { TestData.cleanUp(folder) }
        let report = folder.appendingPathComponent("a.json").path, copy = folder.appendingPathComponent("b.json").path
        let run = try CommandLineTool.run(["privatize", "--epsilon", "10", "--report", report], stdin: Self.text)
        #expect(run.status == 0, "\(run.stderr)")
        try FileManager.default.copyItem(atPath: report, toPath: copy)
        let merged = folder.appendingPathComponent("merged.json").path
        for parts in [[report, report], [report, copy]] {
            let outcome = try CommandLineTool.run(["report", "merge"] + parts + ["-o", merged])
            #expect(outcome.status == 65 && outcome.stderr.contains("the same report as \(report)"), "\(outcome.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: merged))
    }
}
