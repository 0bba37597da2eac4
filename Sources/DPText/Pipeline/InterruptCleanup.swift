import Dispatch
import Foundation
import Synchronization

/// Removes partial output files when the process is interrupted.
///
/// `install()` routes SIGINT, SIGTERM and SIGHUP (the terminal closed) to a
/// handler that deletes every registered temporary file, says so on stderr,
/// and exits with 128 + the signal number (130, 143, 129), so an
/// interrupted run leaves nothing behind.
public enum InterruptCleanup {
    private static let pending = Mutex<Set<String>>([])
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []
    private static let installOnce: Void = {
        for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { interrupted(by: signalNumber) }
            source.resume()
            sources.append(source)
        }
    }()

    /// Starts handling SIGINT, SIGTERM and SIGHUP (idempotent).
    public static func install() { _ = installOnce }

    static func register(_ path: String) { pending.withLock { _ = $0.insert(path) } }
    static func unregister(_ path: String) { pending.withLock { _ = $0.remove(path) } }

    private static func interrupted(by signalNumber: Int32) -> Never {
        let paths = pending.withLock { $0 }
        for path in paths { unlink(path) }
        let name = signalNumber == SIGINT ? "SIGINT" : signalNumber == SIGHUP ? "SIGHUP" : "SIGTERM"
        FileHandle.standardError.write(Data("\ndptext: interrupted by \(name); no partial output was kept.\n".utf8))
        // `_exit`, not `exit`: the other threads are still running, and exit's clean-up
        // (static destructors, atexit handlers) under their feet can crash the process.
        _exit(128 + signalNumber)
    }
}
