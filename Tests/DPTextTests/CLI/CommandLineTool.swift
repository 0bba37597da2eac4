import Foundation
@testable import DPText

/// Runs the built `dptext` binary, as users and scripts do.
enum CommandLineTool {
    struct Outcome {
        let status: Int32
        let stdout: [UInt8]
        let stderr: String
    }

    /// The binary, next to the test bundle in the build products folder.
    static let binary: URL = {
        var folder = Bundle.main.bundleURL
        while !FileManager.default.fileExists(atPath: folder.appendingPathComponent("dptext").path) {
            folder.deleteLastPathComponent()
        }
        return folder.appendingPathComponent("dptext")
    }()

    /// Runs `dptext arguments…` with `stdin` as input and waits for it.
    static func run(_ arguments: [String], stdin: [UInt8] = []) throws -> Outcome {
        let process = try start(arguments, stdin: stdin)
        return try finish(process)
    }

    /// Writing to a child that already exited (a usage error needs no input)
    /// raises SIGPIPE, whose default action would kill the whole test run;
    /// ignored, the write fails with EPIPE instead, which callers tolerate.
    static let ignoreBrokenPipes: Void = { signal(SIGPIPE, SIG_IGN) }()

    static func start(_ arguments: [String], stdin: [UInt8] = []) throws -> Running {
        _ = ignoreBrokenPipes
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["DPTEXT_EMBEDDINGS"] = TestData.bundledStore
        process.environment = environment
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let running = Running(process: process, output: output, errors: errors)
        DispatchQueue.global().async {
            try? input.fileHandleForWriting.write(contentsOf: stdin)
            try? input.fileHandleForWriting.close()
        }
        return running
    }

    final class Running: @unchecked Sendable {
        let process: Process
        private var stdout = Data(), stderr = Data()
        private let group = DispatchGroup()

        init(process: Process, output: Pipe, errors: Pipe) {
            self.process = process
            // Drain both pipes while the process runs, so it never blocks on a full pipe.
            group.enter()
            DispatchQueue.global().async { [self] in
                stdout = output.fileHandleForReading.readDataToEndOfFile()
                group.leave()
            }
            group.enter()
            DispatchQueue.global().async { [self] in
                stderr = errors.fileHandleForReading.readDataToEndOfFile()
                group.leave()
            }
        }

        func wait() -> Outcome {
            process.waitUntilExit()
            group.wait()
            return Outcome(status: process.terminationStatus, stdout: Array(stdout),
                           stderr: String(decoding: stderr, as: UTF8.self))
        }
    }

    static func finish(_ running: Running) throws -> Outcome { running.wait() }
}
