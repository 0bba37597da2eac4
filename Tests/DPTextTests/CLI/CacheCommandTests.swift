import Foundation
import Testing
@testable import DPText

/// Caches through the command line: a cache file someone rewrote — shape
/// intact, content chosen to switch privacy off — changes nothing; `cache
/// verify` recomputes them; the HNSW graph is cached and checked like the rest.
@Suite("Caches from the command line", .serialized)
struct CacheCommandTests {
    static let sample = TestData.repository.appendingPathComponent("Corpora/pride-and-prejudice.txt").path
    /// A small vocabulary keeps every cache quick to build.
    static let store = ["--vocab-limit", "3000"]

    static func run(_ arguments: [String], cache: URL) throws -> CommandLineTool.Outcome {
        try CommandLineTool.run(arguments + Self.store + ["--cache-dir", cache.path])
    }

    /// The one file in `folder` whose name starts with `prefix`.
    static func file(in folder: URL, _ prefix: String) throws -> URL {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix(prefix) }
        try #require(names.count == 1, "\(names)")
        return folder.appendingPathComponent(names[0])
    }

    /// `bytes` with `count` little-endian Int32 values from byte `start` set by `value`.
    static func rewriting(_ bytes: Data, from start: Int, count: Int, value: (Int) -> Int32) -> Data {
        var bytes = bytes
        for index in 0..<count {
            withUnsafeBytes(of: value(index).littleEndian) { bytes.replaceSubrange(start + 4 * index..<start + 4 * index + 4, with: $0) }
        }
        return bytes
    }

    /// V and the width from a neighbour table's header (`DPTXNBT1`, V, width as UInt64).
    static func tableShape(_ bytes: Data) -> (words: Int, width: Int) {
        bytes.withUnsafeBytes { (Int($0.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
                                 Int($0.loadUnaligned(fromByteOffset: 16, as: UInt64.self))) }
    }

    @Test("a neighbour table rewritten to list one distant word 40 times per word: santext's output is the honest one")
    func tamperedNeighborTable() throws {
        let folder = try TestData.temporaryFolder()
        defer { TestData.cleanUp(folder) }
        let honest = folder.appendingPathComponent("honest"), shared = folder.appendingPathComponent("shared")
        let arguments = ["privatize", Self.sample, "--mechanism", "santext", "--epsilon", "4", "--seed", "3"]
        let expected = try Self.run(arguments, cache: honest)
        #expect(expected.status == 0, "\(expected.stderr)")

        // Someone who can write the shared folder plants the honest file, rewritten: every word's
        // neighbours are one distant word, repeated. Header, size, id range and "not itself" all pass.
        try FileManager.default.createDirectory(at: shared, withIntermediateDirectories: true)
        let file = try Self.file(in: honest, "neighbor-table-")
        let bytes = try Data(contentsOf: file)
        let (words, width) = Self.tableShape(bytes)
        let tampered = Self.rewriting(bytes, from: 88, count: words * width) { index in
            Int32(index / width == words - 1 ? words - 2 : words - 1)
        }
        try tampered.write(to: shared.appendingPathComponent(file.lastPathComponent))
        let outcome = try Self.run(arguments, cache: shared)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout == expected.stdout, "the tampered table must not be used")
        #expect(outcome.stderr.contains("not used, and removed: its signature does not match"), "\(outcome.stderr)")
    }

    @Test("a partition rewritten as one group per word: custext's output is the honest one")
    func tamperedPartition() throws {
        let folder = try TestData.temporaryFolder()
        defer { TestData.cleanUp(folder) }
        let honest = folder.appendingPathComponent("honest"), shared = folder.appendingPathComponent("shared")
        let arguments = ["privatize", Self.sample, "--mechanism", "custext", "--epsilon", "2", "--seed", "3"]
        let expected = try Self.run(arguments, cache: honest)
        #expect(expected.status == 0, "\(expected.stderr)")
        #expect(expected.stdout != Array(try Data(contentsOf: URL(fileURLWithPath: Self.sample))))

        try FileManager.default.createDirectory(at: shared, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: honest.path) where name.hasPrefix("neighbor-table-") {
            try FileManager.default.copyItem(at: honest.appendingPathComponent(name), to: shared.appendingPathComponent(name))
        }
        let file = try Self.file(in: honest, "vocabulary-partition-")
        var bytes = try Data(contentsOf: file)
        let words = bytes.withUnsafeBytes { Int($0.loadUnaligned(fromByteOffset: 8, as: UInt64.self)) }
        withUnsafeBytes(of: UInt64(words).littleEndian) { bytes.replaceSubrange(24..<32, with: $0) }  // V groups
        let tampered = Self.rewriting(bytes, from: 160, count: words) { Int32($0) }                 // word i in group i
        try tampered.write(to: shared.appendingPathComponent(file.lastPathComponent))
        let outcome = try Self.run(arguments, cache: shared)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout == expected.stdout, "the tampered partition must not be used")
    }

    @Test("cache verify: every file of the store recomputed and equal; a foreign file listed as never used")
    func verify() throws {
        let folder = try TestData.temporaryFolder()
        defer { TestData.cleanUp(folder) }
        let cache = folder.appendingPathComponent("cache")
        let made = try Self.run(["privatize", Self.sample, "--mechanism", "custext", "--epsilon", "2", "-o",
                                 folder.appendingPathComponent("out.txt").path], cache: cache)
        #expect(made.status == 0, "\(made.stderr)")
        var outcome = try Self.run(["cache", "verify"], cache: cache)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let text = String(decoding: outcome.stdout, as: UTF8.self)
        #expect(text.components(separatedBy: "ok (signed, equal to the recomputed file)").count - 1 == 2, "\(text)")
        #expect(text.contains("store-checked-") && text.contains("no signed file differs"))
        // Someone else's file: listed as rejected (never used), not a failure of the signed ones.
        try Data("x".utf8).write(to: try Self.file(in: cache, "vocabulary-partition-"))
        outcome = try Self.run(["cache", "verify"], cache: cache)
        #expect(outcome.status == 0 && String(decoding: outcome.stdout, as: UTF8.self).contains("rejected, never used"))
    }

    @Test("the HNSW graph is cached signed: a rerun loads it and gives the same seeded output; a changed one is rebuilt")
    func hnswCache() throws {
        let folder = try TestData.temporaryFolder()
        defer { TestData.cleanUp(folder) }
        let cache = folder.appendingPathComponent("cache")
        let arguments = ["privatize", Self.sample, "--epsilon", "8", "--seed", "5", "--decoder", "hnsw"]
        let first = try Self.run(arguments, cache: cache)
        #expect(first.status == 0, "\(first.stderr)")
        let graph = try Self.file(in: cache, "hnsw-")
        let modified = try FileManager.default.attributesOfItem(atPath: graph.path)[.modificationDate] as? Date
        let second = try Self.run(arguments, cache: cache)
        #expect(second.stdout == first.stdout && second.stderr.isEmpty, "\(second.stderr)")
        #expect(try FileManager.default.attributesOfItem(atPath: graph.path)[.modificationDate] as? Date == modified,
                "loaded, not rebuilt")
        var bytes = try Data(contentsOf: graph)
        bytes[bytes.count / 2] ^= 0x40
        try bytes.write(to: graph)
        let third = try Self.run(arguments, cache: cache)
        #expect(third.status == 0 && third.stderr.contains("not used, and removed"), "\(third.stderr)")
        #expect(third.stdout.count > 100_000, "privatized with the rebuilt graph")
    }
}
