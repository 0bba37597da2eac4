import Foundation

/// Where privatized bytes go.
public protocol OutputSink {
    /// Appends bytes.
    func write(_ bytes: [UInt8]) throws(PipelineError)
    /// Makes the output complete: everything written is flushed, and a file
    /// sink that publishes on finish makes it visible.
    func finish() throws(PipelineError)
    /// Gives up: leaves nothing behind (where possible).
    func abandon()
}

/// Standard output. Bytes written before a failure cannot be taken back, so
/// a failed run's status code is what tells the consumer to discard them.
public struct StandardOutputSink: OutputSink {
    public init() {}

    public func write(_ bytes: [UInt8]) throws(PipelineError) {
        try writeAll(bytes, to: STDOUT_FILENO, path: "<stdout>")
    }

    public func finish() throws(PipelineError) {}
    public func abandon() {}
}

/// A file written under a temporary name beside its target and renamed into
/// place only when complete: readers never see half a file, a failure or
/// interrupt leaves no partial file, and an existing target is replaced
/// atomically.
///
/// With `publishOnFinish: false`, `finish` only completes the temporary
/// file and `publish` renames it: a run that writes several files publishes
/// them all once every one is complete (`PublishedTogether`).
///
/// The temporary file is `.NAME.dptext-PID.partial`. One left by a process
/// that died without cleaning up (SIGKILL, a power cut) is removed by the
/// next sink created in that folder (`removeStalePartials`).
public final class AtomicFileSink: OutputSink {
    public let path: String
    private let temporaryPath: String
    private let descriptor: Int32
    private let publishOnFinish: Bool
    private var completed = false

    public init(path: String, publishOnFinish: Bool = true) throws(PipelineError) {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        Self.removeStalePartials(in: folder)
        self.path = path
        self.publishOnFinish = publishOnFinish
        self.temporaryPath = folder + "/.\(url.lastPathComponent).dptext-\(getpid()).partial"
        let descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw .unwritableOutput(path: path, reason: String(cString: strerror(errno)))
        }
        InterruptCleanup.register(temporaryPath)
        self.descriptor = descriptor
    }

    deinit { if !completed { close(descriptor) } }

    public func write(_ bytes: [UInt8]) throws(PipelineError) {
        try writeAll(bytes, to: descriptor, path: path)
    }

    public func finish() throws(PipelineError) {
        if !completed {
            completed = true
            let synced = fsync(descriptor) == 0, reason = String(cString: strerror(errno))
            guard close(descriptor) == 0 && synced else {
                abandon()
                throw .unwritableOutput(path: path, reason: synced ? String(cString: strerror(errno)) : reason)
            }
        }
        if publishOnFinish { try publish() }
    }

    /// Renames the completed file into place.
    public func publish() throws(PipelineError) {
        precondition(completed, "publish after finish")
        guard rename(temporaryPath, path) == 0 else {
            let reason = String(cString: strerror(errno))
            abandon()
            throw .unwritableOutput(path: path, reason: reason)
        }
        InterruptCleanup.unregister(temporaryPath)
    }

    public func abandon() {
        if !completed {
            completed = true
            close(descriptor)
        }
        unlink(temporaryPath)
        InterruptCleanup.unregister(temporaryPath)
    }

    /// Removes the partial files in `folder` that belong to this user and
    /// to a process that is no longer a running dptext.
    static func removeStalePartials(in folder: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for name in names where name.hasPrefix(".") && name.hasSuffix(".partial") {
            guard let marker = name.range(of: ".dptext-", options: .backwards),
                  let pid = Int32(name[marker.upperBound...].dropLast(".partial".count)), pid != getpid(),
                  !isRunningDPText(pid) else { continue }
            let file = folder + "/" + name
            var status = stat()
            if lstat(file, &status) == 0, status.st_uid == geteuid(), (status.st_mode & S_IFMT) == S_IFREG {
                unlink(file)
            }
        }
    }

    /// Whether process `pid` exists and is a dptext (a reused pid is not).
    private static func isRunningDPText(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 || errno == EPERM else { return false }
        guard let name = try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8) else { return true }
        return name.trimmingCharacters(in: .whitespacesAndNewlines) == "dptext"
    }
}

/// An existing file that is not a regular file — a device such as
/// `/dev/null` or `/dev/full`, a FIFO, a socket — written in place: it
/// cannot be replaced by renaming, and must never be. As with standard
/// output, bytes written before a failure cannot be taken back.
public final class DeviceSink: OutputSink {
    public let path: String
    private let descriptor: Int32
    private var closed = false

    public init(path: String) throws(PipelineError) {
        let descriptor = open(path, O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .unwritableOutput(path: path, reason: String(cString: strerror(errno))) }
        self.path = path
        self.descriptor = descriptor
    }

    deinit { if !closed { close(descriptor) } }

    public func write(_ bytes: [UInt8]) throws(PipelineError) {
        try writeAll(bytes, to: descriptor, path: path)
    }

    public func finish() throws(PipelineError) {
        guard !closed else { return }
        closed = true
        guard close(descriptor) == 0 else { throw .unwritableOutput(path: path, reason: String(cString: strerror(errno))) }
    }

    public func abandon() {
        if !closed { close(descriptor) }
        closed = true
    }
}

/// Writes all of `bytes` to `descriptor` (retrying short and interrupted
/// writes), or throws with the system's reason (`No space left on device`).
func writeAll(_ bytes: [UInt8], to descriptor: Int32, path: String) throws(PipelineError) {
    var offset = 0
    while offset < bytes.count {
        let written = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
        if written < 0 {
            if errno == EINTR { continue }
            throw .unwritableOutput(path: path, reason: String(cString: strerror(errno)))
        }
        offset += written
    }
}

/// The sink for an output path: a `DeviceSink` when the path exists and is
/// not a regular file (or a link to one), else an `AtomicFileSink`.
///
/// - Parameter publishOnFinish: for a file, whether `finish` renames it into
///   place (else `PublishedTogether` does).
public func outputSink(path: String, publishOnFinish: Bool = true) throws(PipelineError) -> any OutputSink {
    var status = stat()
    if stat(path, &status) == 0 && (status.st_mode & S_IFMT) != S_IFREG {
        guard (status.st_mode & S_IFMT) != S_IFDIR else {
            throw .unwritableOutput(path: path, reason: PipelineError.isADirectory)
        }
        return try DeviceSink(path: path)
    }
    return try AtomicFileSink(path: path, publishOnFinish: publishOnFinish)
}

/// Sinks that become visible together: each is completed by its own
/// `finish`, and `publish` renames every file into place only once all are
/// complete — a run with several outputs and reports is all or nothing.
/// `abandon` removes every temporary file.
public final class PublishedTogether {
    private var sinks: [any OutputSink] = []

    public init() {}

    /// A sink for `path` that waits for `publish`.
    public func sink(path: String) throws(PipelineError) -> any OutputSink {
        let sink = try outputSink(path: path, publishOnFinish: false)
        sinks.append(sink)
        return sink
    }

    /// Renames every completed file into place.
    public func publish() throws(PipelineError) {
        for sink in sinks {
            if let file = sink as? AtomicFileSink { try file.publish() }
        }
        sinks.removeAll()
    }

    /// Removes every temporary file (and closes every device).
    public func abandon() {
        for sink in sinks { sink.abandon() }
        sinks.removeAll()
    }
}
