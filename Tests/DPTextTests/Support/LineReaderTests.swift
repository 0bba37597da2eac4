import Foundation
import Testing
@testable import DPText

@Suite("Line reader")
struct LineReaderTests {
    private func lines(of bytes: [UInt8]) throws -> [[UInt8]] {
        let folder = try TestData.temporaryFolder()
        defer { TestData.cleanUp(folder) }
        let path = folder.appendingPathComponent("lines.txt").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        var reader = try LineReader(path: path)
        var result: [[UInt8]] = []
        while let line = try reader.next() { result.append(Array(line)) }
        #expect(reader.lineNumber == result.count)
        return result
    }

    @Test func splitsOnLFAndCRLFAndKeepsALastLineWithoutNewline() throws {
        #expect(try lines(of: Array("a\r\nb\n\nc\rd\ne".utf8)) == ["a", "b", "", "c\rd", "e"].map { Array($0.utf8) })
        #expect(try lines(of: Array("x\n".utf8)) == [Array("x".utf8)])
        #expect(try lines(of: []) == [])
    }

    @Test func readsLinesLongerThanItsBuffer() throws {
        let long = [UInt8](repeating: UInt8(ascii: "z"), count: 3 << 20)
        let result = try lines(of: long + [10] + Array("tail".utf8))
        #expect(result.map(\.count) == [3 << 20, 4])
    }

    @Test func reportsMissingFiles() {
        #expect(throws: LineReaderError.self) { try LineReader(path: "/nonexistent/file.txt") }
    }
}
