import Foundation

/// Reads a file as a sequence of lines of bytes, in bounded memory.
///
/// A line is the bytes up to, not including, its `\n`; a `\r` just before
/// the `\n` is dropped too. A last line without `\n` is still returned.
/// Memory use is one read buffer plus the longest line.
public struct LineReader {
    public let path: String
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var start = 0
    /// Where to resume looking for `\n`: bytes before it are known to hold none.
    private var scanned = 0
    private var atEnd = false
    /// 1-based number of the line most recently returned.
    public private(set) var lineNumber = 0

    private static let chunkSize = 1 << 20

    public init(path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            throw LineReaderError(path: path, reason: !exists ? "no such file" : isDirectory.boolValue
                ? "it is a directory" : "permission denied")
        }
        self.path = path
        self.handle = handle
    }

    /// The next line without its terminator, or nil at the end of the file.
    public mutating func next() throws -> ArraySlice<UInt8>? {
        while true {
            if let newline = buffer[max(start, scanned)...].firstIndex(of: UInt8(ascii: "\n")) {
                var end = newline
                if end > start, buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                defer { start = newline + 1; scanned = start }
                lineNumber += 1
                return buffer[start..<end]
            }
            if atEnd {
                guard start < buffer.count else { return nil }
                defer { start = buffer.count }
                lineNumber += 1
                return buffer[start...]
            }
            scanned = buffer.count
            try refill()
        }
    }

    private mutating func refill() throws {
        buffer.removeSubrange(..<start)
        scanned -= start
        start = 0
        let chunk: Data?
        do { chunk = try handle.read(upToCount: Self.chunkSize) } catch {
            throw LineReaderError(path: path, reason: error.localizedDescription)
        }
        if let chunk, !chunk.isEmpty { buffer.append(contentsOf: chunk) } else { atEnd = true }
    }
}

/// A file that could not be opened or read as lines.
public struct LineReaderError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "\(path): cannot be read (\(reason))." }
}
