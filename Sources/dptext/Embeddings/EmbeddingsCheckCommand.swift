import ArgumentParser
import DPText
import Foundation

/// `dptext embeddings check PATH`: opens a store and reports whether it is
/// valid. Every command runs it in a child process before opening a store
/// file it has not checked before (`StoreGuard`), so that a damaged file
/// that crashes or hangs libhdf5 ends in a clear error, not a crash.
struct EmbeddingsCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check that a store opens and is valid (status 0), or say what is wrong.")

    @Argument(help: ArgumentHelp("The HDF5 store.", valueName: "path"))
    var path: String

    @Option(help: ArgumentHelp("Check only the first N words.", valueName: "N"))
    var vocabLimit: Int?

    func run() throws {
        try reportingFailures {
            let store = try EmbeddingStore.load(from: path, vocabLimit: vocabLimit)
            print("\(path): valid store, V = \(store.count), D = \(store.dimension)")
        }
    }
}

/// Opens store files in a child process first, once per file version.
///
/// libhdf5 can crash (SIGSEGV) or loop forever on some damaged files
/// (`Tools/fuzz/README.md`), which no error handling inside the process can
/// catch. The child (`dptext embeddings check`) takes that risk: when it dies
/// from a signal or runs past `timeout`, the command fails with a clear
/// error instead. A file that opened cleanly is remembered by path, size and
/// modification time in a signed marker in the cache folder (`CacheFolder`:
/// a marker someone else wrote is not believed), so the check costs one
/// extra open per file version.
enum StoreGuard {
    static let timeout: TimeInterval = 120

    /// - Parameter cache: where the marker is kept; nil checks every time.
    static func check(_ path: String, vocabLimit: Int?, cache: CacheFolder?) throws {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              attributes[.type] as? FileAttributeType == .typeRegular else { return }  // the load reports it
        let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
        let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        let key = "\(absolute)\n\(size)\n\(modified)\n\(vocabLimit ?? 0)"
        // Named by the SHA-256 of the key (the word-list hash applied to one "word").
        let marker = "store-checked-\(VocabularyFingerprint.wordsSHA256([key]).prefix(32))"
        if cache?.load(marker) == Data(key.utf8) { return }

        let process = Process()
        process.executableURL = Bundle.main.executableURL
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        process.arguments = ["embeddings", "check", path] + (vocabLimit.map { ["--vocab-limit", "\($0)"] } ?? [])
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            process.terminate()
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw Failure(message: "\(path): libhdf5 did not finish reading it in \(Int(timeout)) s; the file is damaged. "
                          + "Rebuild it, or import the vectors again with dptext embeddings import.",
                          status: ExitStatus.dataError)
        }
        process.waitUntilExit()
        if process.terminationReason == .uncaughtSignal {
            throw Failure(message: "\(path): libhdf5 crashed reading it (signal \(process.terminationStatus)); the file is "
                          + "damaged. Rebuild it, or import the vectors again with dptext embeddings import.",
                          status: ExitStatus.dataError)
        }
        // A clean status: the load in this process reports any error itself.
        if process.terminationStatus == 0 { try? cache?.save(marker, Data(key.utf8)) }
    }
}
