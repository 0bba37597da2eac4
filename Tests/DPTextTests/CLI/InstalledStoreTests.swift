import Foundation
import Testing
@testable import DPText

/// The bundled store of an installed dptext (`PREFIX/bin/dptext` beside
/// `PREFIX/share/dptext/<store>`, as Tools/install.sh lays it out) is found
/// from any working folder, after `--embeddings` and `$DPTEXT_EMBEDDINGS`.
@Suite("dptext finds an installed store", .serialized)
struct InstalledStoreTests {
    /// A copy of the built binary in PREFIX/bin and the store (a symlink) in PREFIX/share/dptext.
    private func install(in prefix: URL) throws -> (binary: URL, store: String) {
        let bin = prefix.appendingPathComponent("bin"), share = prefix.appendingPathComponent("share/dptext")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: share, withIntermediateDirectories: true)
        let binary = bin.appendingPathComponent("dptext")
        try FileManager.default.copyItem(at: CommandLineTool.binary, to: binary)
        let store = share.appendingPathComponent("glove-6B-50d-50k.h5").path
        try FileManager.default.createSymbolicLink(atPath: store, withDestinationPath: TestData.bundledStore)
        return (binary, store)
    }

    /// Runs the binary from `/` with only PATH (and `extra`) in its environment.
    private func run(_ binary: URL, _ arguments: [String], extra: [String: String] = [:]) throws -> Int32 {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.environment = ["PATH": "/usr/bin:/bin"].merging(extra) { $1 }
        process.currentDirectoryURL = URL(fileURLWithPath: "/")
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        try input.fileHandleForWriting.write(contentsOf: Data("the river bank\n".utf8))
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        return process.terminationStatus
    }

    private func storeInReport(_ path: URL) throws -> String? {
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: path)) as? [String: Any]
        return (report?["embeddings"] as? [String: Any])?["path"] as? String
    }

    @Test func installedStoreIsFoundFromAnyFolderAfterTheOptionAndTheEnvironment() throws {
        let prefix = try TestData.temporaryFolder()
        defer { TestData.cleanUp(prefix) }
        let (binary, store) = try install(in: prefix)
        let report = prefix.appendingPathComponent("report.json")
        let arguments = ["privatize", "--epsilon", "10", "--seed", "1", "--report", report.path]

        #expect(try run(binary, arguments) == 0)
        #expect(try storeInReport(report) == store)

        // $DPTEXT_EMBEDDINGS comes first: a missing file there is an error, not a fallback.
        let missing = prefix.appendingPathComponent("missing.h5").path
        #expect(try run(binary, arguments, extra: ["DPTEXT_EMBEDDINGS": missing]) != 0)
        // --embeddings comes before both.
        #expect(try run(binary, arguments + ["--embeddings", TestData.bundledStore],
                        extra: ["DPTEXT_EMBEDDINGS": missing]) == 0)
        #expect(try storeInReport(report) == TestData.bundledStore)
    }
}
