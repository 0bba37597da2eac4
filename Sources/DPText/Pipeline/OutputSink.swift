import Foundation

/// Where privatized bytes go.
public protocol OutputSink {
    /// Appends bytes.
    func write(_ bytes: [UInt8]) throws(PipelineError)
    /// Makes the output complete and visible.
    func finish() throws(PipelineError)
    /// Gives up: leaves nothing behind (where possible).
    func abandon()
}

/// Standard output. Bytes written before a failure cannot be taken back, so
/// a failed run's status code is what tells the consumer to discard them.
public struct StandardOutputSink: OutputSink {
    public init() {}

    public func write(_ bytes: [UInt8]) throws(PipelineError) {
        do { try FileHandle.standardOutput.write(contentsOf: bytes) } catch {
            throw .unwritableOutput(path: "<stdout>", reason: (error as NSError).localizedDescription)
        }
    }

    public func finish() throws(PipelineError) {}
    public func abandon() {}
}

/// A file written under a temporary name beside its target and renamed into
/// place only when complete: readers never see half a file, a failure or
/// interrupt leaves no partial file, and an existing target is replaced
/// atomically.
public final class AtomicFileSink: OutputSink {
    public let path: String
    private let temporaryPath: String
    private let handle: FileHandle

    public init(path: String) throws(PipelineError) {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        self.path = path
        self.temporaryPath = folder + "/.\(url.lastPathComponent).dptext-\(getpid()).partial"
        let descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw .unwritableOutput(path: path, reason: String(cString: strerror(errno)))
        }
        InterruptCleanup.register(temporaryPath)
        handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    }

    public func write(_ bytes: [UInt8]) throws(PipelineError) {
        do { try handle.write(contentsOf: bytes) } catch {
            throw .unwritableOutput(path: path, reason: (error as NSError).localizedDescription)
        }
    }

    public func finish() throws(PipelineError) {
        do {
            try handle.synchronize()
            try handle.close()
        } catch {
            abandon()
            throw .unwritableOutput(path: path, reason: (error as NSError).localizedDescription)
        }
        guard rename(temporaryPath, path) == 0 else {
            let reason = String(cString: strerror(errno))
            abandon()
            throw .unwritableOutput(path: path, reason: reason)
        }
        InterruptCleanup.unregister(temporaryPath)
    }

    public func abandon() {
        try? handle.close()
        unlink(temporaryPath)
        InterruptCleanup.unregister(temporaryPath)
    }
}

/// An existing file that is not a regular file — a device such as
/// `/dev/null` or `/dev/full`, a FIFO, a socket — written in place: it
/// cannot be replaced by renaming, and must never be. As with standard
/// output, bytes written before a failure cannot be taken back.
public final class DeviceSink: OutputSink {
    public let path: String
    private let handle: FileHandle

    public init(path: String) throws(PipelineError) {
        let descriptor = open(path, O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .unwritableOutput(path: path, reason: String(cString: strerror(errno))) }
        self.path = path
        handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    }

    public func write(_ bytes: [UInt8]) throws(PipelineError) {
        do { try handle.write(contentsOf: bytes) } catch {
            throw .unwritableOutput(path: path, reason: (error as NSError).localizedDescription)
        }
    }

    public func finish() throws(PipelineError) {
        do { try handle.close() } catch {
            throw .unwritableOutput(path: path, reason: (error as NSError).localizedDescription)
        }
    }

    public func abandon() { try? handle.close() }
}

/// The sink for an output path: a `DeviceSink` when the path exists and is
/// not a regular file (or a link to one), else an `AtomicFileSink`.
public func outputSink(path: String) throws(PipelineError) -> any OutputSink {
    var status = stat()
    if stat(path, &status) == 0 && (status.st_mode & S_IFMT) != S_IFREG {
        guard (status.st_mode & S_IFMT) != S_IFDIR else {
            throw .unwritableOutput(path: path, reason: "it is a directory; give a file path, or use --output-dir")
        }
        return try DeviceSink(path: path)
    }
    return try AtomicFileSink(path: path)
}
