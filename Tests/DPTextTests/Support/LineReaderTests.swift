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

    @Test func longLinesComeInPiecesThatJoinBackExactly() throws {
        let folder = try TestData.temporaryFolder()
        defer { TestData.cleanUp(folder) }
        let path = folder.appendingPathComponent("lines.txt").path
        let long: [UInt8] = (0..<(3 << 20) + 17).map { (index: Int) -> UInt8 in UInt8(0x20 + (index * 7_919) % 95) }
        var bytes: [UInt8] = long
        bytes += Array("\r\nshort\n".utf8)
        bytes += long.prefix(1000)
        bytes += Array("\r\n".utf8)
        bytes += long.prefix(999)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        for limit in [7, 1000, 1 << 20, Int.max] {
            var reader = try LineReader(path: path)
            var rebuilt: [UInt8] = [], pieces = 0, lines = 0, wellFormed = true
            while let piece = try reader.nextLine(maxContent: limit) {
                wellFormed = wellFormed && piece.content.count <= limit
                    && (piece.isComplete || (piece.content.count == limit && piece.terminator.isEmpty))
                rebuilt.append(contentsOf: piece.content)
                rebuilt.append(contentsOf: piece.terminator)
                pieces += 1
                if piece.isComplete { lines += 1 }
                if limit == 7 && pieces > 3 { break }  // enough for the tiny limit
            }
            #expect(wellFormed, "limit \(limit)")
            if limit != 7 { #expect(rebuilt == bytes, "limit \(limit)") }
            if limit != 7 { #expect(lines == 4 && reader.lineNumber == 4 && reader.bytesRead == bytes.count) }
            if limit == 1000 { #expect(pieces == ((3 << 20) + 17 + 999) / 1000 + 1 + 1 + 1) }
        }
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
