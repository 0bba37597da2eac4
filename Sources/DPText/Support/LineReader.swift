import Foundation

/// Reads a file or a stream as a sequence of lines of bytes, in bounded memory.
///
/// A line is the bytes up to its terminator: `\n`, or `\r\n` (a `\r` alone
/// is not a terminator). A last line without terminator is still returned,
/// with an empty terminator, so a reader that writes each line's content and
/// terminator back reproduces its input byte for byte. Memory use is one
/// read buffer plus the longest line.
public struct LineReader {
    /// The file's path, or `<stdin>`.
    public let path: String
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var start = 0
    /// Where to resume looking for `\n`: bytes before it are known to hold none.
    private var scanned = 0
    private var atEnd = false
    /// 1-based number of the line most recently returned.
    public private(set) var lineNumber = 0
    /// Bytes returned so far, terminators included.
    public private(set) var bytesRead = 0

    private static let chunkSize = 1 << 20

    /// Reads the file at `path`.
    public init(path: String) throws {
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        guard exists, !isDirectory.boolValue, let handle = FileHandle(forReadingAtPath: path) else {
            throw LineReaderError(path: path, reason: !exists ? "no such file" : isDirectory.boolValue
                ? "it is a directory" : "permission denied")
        }
        self.init(handle: handle, name: path)
    }

    /// Reads an open handle (such as standard input), named `name` in errors.
    public init(handle: FileHandle, name: String) {
        self.path = name
        self.handle = handle
    }

    /// The next line's content and terminator, or nil at the end.
    public mutating func nextLine() throws -> (content: ArraySlice<UInt8>, terminator: ArraySlice<UInt8>)? {
        try nextLine(maxContent: .max).map { ($0.content, $0.terminator) }
    }

    /// As `nextLine()`, but a line with more than `maxContent` bytes of
    /// content comes in pieces: each piece but the last has exactly
    /// `maxContent` bytes, no terminator and `isComplete == false`. Memory
    /// then stays near `maxContent` plus one read buffer, however long the
    /// line. `lineNumber` counts a line once, at its last piece.
    public mutating func nextLine(maxContent: Int) throws
        -> (content: ArraySlice<UInt8>, terminator: ArraySlice<UInt8>, isComplete: Bool)? {
        precondition(maxContent >= 1)
        while true {
            if let newline = buffer[max(start, scanned)...].firstIndex(of: UInt8(ascii: "\n")) {
                let end = newline > start && buffer[newline - 1] == UInt8(ascii: "\r") ? newline - 1 : newline
                if end - start <= maxContent {
                    defer { start = newline + 1; scanned = start }
                    return emit(content: start..<end, terminatorEnd: newline + 1)
                }
                scanned = newline  // the line's remaining pieces need not search again
                return emitPiece(length: maxContent)
            }
            scanned = buffer.count  // no newline before the end of what is held
            if buffer.count - start > maxContent { return emitPiece(length: maxContent) }
            if atEnd {
                guard start < buffer.count else { return nil }
                defer { start = buffer.count }
                return emit(content: start..<buffer.count, terminatorEnd: buffer.count)
            }
            try refill()
        }
    }

    /// Whether `nextLine()` would return without waiting for more input: a
    /// whole line is held, the input has ended, or bytes are ready to read
    /// (always so for a regular file). A pipeline stops a chunk early when
    /// this is false, so a record written to a pipe is answered at once
    /// instead of waiting for the chunk to fill.
    public var hasLineReady: Bool {
        if atEnd || buffer[max(start, scanned)...].contains(UInt8(ascii: "\n")) { return true }
        var descriptor = pollfd(fd: handle.fileDescriptor, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 0) != 0
    }

    /// The next line without its terminator, or nil at the end.
    public mutating func next() throws -> ArraySlice<UInt8>? {
        try nextLine()?.content
    }

    private mutating func emit(content: Range<Int>, terminatorEnd: Int)
        -> (content: ArraySlice<UInt8>, terminator: ArraySlice<UInt8>, isComplete: Bool) {
        lineNumber += 1
        bytesRead += terminatorEnd - content.lowerBound
        return (buffer[content], buffer[content.upperBound..<terminatorEnd], true)
    }

    /// The next `length` bytes of a line that goes on after them.
    private mutating func emitPiece(length: Int)
        -> (content: ArraySlice<UInt8>, terminator: ArraySlice<UInt8>, isComplete: Bool) {
        let piece = start..<start + length
        start += length
        scanned = max(scanned, start)
        bytesRead += length
        return (buffer[piece], buffer[piece.upperBound..<piece.upperBound], false)
    }

    private mutating func refill() throws {
        buffer.removeSubrange(..<start)
        scanned -= start
        start = 0
        let held = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: Self.chunkSize))
        var count: Int
        repeat {
            count = buffer.withUnsafeMutableBytes { Foundation.read(handle.fileDescriptor, $0.baseAddress! + held, Self.chunkSize) }
        } while count < 0 && errno == EINTR
        let reason = count < 0 ? String(cString: strerror(errno)) : nil
        buffer.removeSubrange((held + max(count, 0))...)
        if let reason { throw LineReaderError(path: path, reason: reason) }
        if count == 0 { atEnd = true }
    }
}

/// A file that could not be opened or read as lines.
public struct LineReaderError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "\(path): cannot be read (\(reason)). Check that it is a readable file." }
}
