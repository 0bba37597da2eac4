import Foundation

/// Shows which one-off computation is running (its result is cached) and how
/// far it got, on stderr when it is a terminal: one line per computation.
final class CacheProgress: @unchecked Sendable {
    private let isEnabled = isatty(STDERR_FILENO) == 1
    private let lock = NSLock()
    private var label: String?
    private var lastShown = -1

    /// `fraction` of the computation `label` is done; a new label ends the previous line.
    func update(_ label: String, _ fraction: Double) {
        guard isEnabled else { return }
        lock.lock()
        defer { lock.unlock() }
        if label != self.label {
            endLine()
            (self.label, lastShown) = (label, -1)
        }
        let percent = Int(fraction * 100)
        // A cache hit reports 100 % at once: nothing to show.
        guard percent != lastShown, !(lastShown < 0 && percent == 100) else { return }
        lastShown = percent
        FileHandle.standardError.write(Data("\r\(label): \(percent)%".utf8))
    }

    /// Ends the last line shown.
    func finish() {
        lock.lock()
        defer { lock.unlock() }
        endLine()
        label = nil
    }

    private func endLine() {
        if isEnabled && lastShown >= 0 { FileHandle.standardError.write(Data("\n".utf8)) }
        lastShown = -1
    }
}
