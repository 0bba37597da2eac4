import DPText
import Foundation

/// Progress on stderr — records, tokens, rate, and ETA when the input size
/// is known — only when stderr is a terminal; silent otherwise.
final class ProgressMeter {
    private let total: Int?
    private let isEnabled = isatty(STDERR_FILENO) == 1
    private let start = Date()
    private var lastShown = Date.distantPast
    private var shown = false

    init(total: Int?) {
        self.total = total
    }

    func update(_ counts: RewriteCounts, bytesRead: Int) {
        guard isEnabled, Date().timeIntervalSince(lastShown) >= 0.25 else { return }
        lastShown = Date()
        let elapsed = max(Date().timeIntervalSince(start), 1e-9)
        var line = "\r\(counts.records) records  \(counts.tokens) tokens  "
            + String(format: "%.0f tokens/s", Double(counts.tokens) / elapsed)
        if let total, total > 0, bytesRead > 0 {
            let remaining = elapsed * Double(total - bytesRead) / Double(bytesRead)
            line += String(format: "  %.0f%%  ETA %.0f s", 100 * Double(bytesRead) / Double(total), remaining)
        }
        FileHandle.standardError.write(Data((line + "   ").utf8))
        shown = true
    }

    func finish() {
        if shown { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
