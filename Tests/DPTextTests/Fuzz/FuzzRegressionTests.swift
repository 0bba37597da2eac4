import DPText
import Foundation
import Testing

/// Replays what the libFuzzer targets (Tools/fuzz) found, and their seed
/// inputs, through the same checks the fuzzers run (FuzzChecks.swift).
///
/// A crash the fuzzers find is fixed and its input saved as
/// `Fixtures/fuzz-regressions/<target>/<name>`, where `<target>` is
/// `roundtrip`, `jsonline` or `hdf5` (see the README.md there).
@Suite("Fuzz regressions")
struct FuzzRegressionTests {
    /// The saved crash inputs of `target`.
    static func regressions(_ target: FuzzTarget) -> [URL] {
        guard let folder = Bundle.module.url(forResource: "Fixtures/fuzz-regressions/\(target.rawValue)",
                                             withExtension: nil) else { return [] }
        return files(in: folder)
    }

    /// The committed seed corpus of `target` (Tools/fuzz/corpus/<target>).
    static func seeds(_ target: FuzzTarget) -> [URL] {
        files(in: TestData.repository.appendingPathComponent("Tools/fuzz/corpus/\(target.rawValue)"))
    }

    static func files(in folder: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0 != "README.md" && !$0.hasPrefix(".") }.sorted()
            .map { folder.appendingPathComponent($0) }
    }

    /// Runs the checks of `target` on `bytes`.
    static func check(_ target: FuzzTarget, _ bytes: [UInt8], scratch: URL) throws {
        switch target {
        case .roundtrip: try FuzzChecks.roundTrip(bytes)
        case .jsonline: try FuzzChecks.jsonLine(bytes)
        case .hdf5: try FuzzChecks.hdf5Store(bytes, scratchPath: scratch.appendingPathComponent("store.h5").path)
        }
    }

    @Test("every saved crash input and every seed passes the fuzzers' checks", arguments: FuzzTarget.allCases)
    func replay(_ target: FuzzTarget) throws {
        let inputs = Self.regressions(target) + Self.seeds(target)
        #expect(!Self.seeds(target).isEmpty, "no seeds for \(target.rawValue)")
        let scratch = try TestData.temporaryFolder()
        defer { TestData.cleanUp(scratch) }
        for input in inputs {
            let bytes = Array(try Data(contentsOf: input))
            do {
                try Self.check(target, bytes, scratch: scratch)
            } catch {
                Issue.record("\(target.rawValue)/\(input.lastPathComponent): \(error)")
            }
        }
    }

    @Test("a store whose header declares more data than the file holds is refused before anything is allocated")
    func forgedExtentsAreRefused() throws {
        // A 6 KB store whose dataspaces declare 2^40 rows, or 2^40 columns:
        // the reader used to size its buffers from them and die in the allocation.
        let forged = Self.regressions(.hdf5).filter { $0.lastPathComponent.hasPrefix("forged-extent") }
        #expect(forged.count == 2)
        for file in forged {
            #expect {
                try EmbeddingStore.load(from: file.path)
            } throws: { error in
                guard case EmbeddingStoreError.corruptHDF5(let path, let detail) = error else { return false }
                return path == file.path && detail.contains("more than the file's")
            }
        }
    }

    @Test("the tokenizer's reference model agrees on a hand-picked tricky text")
    func referenceTokenizer() throws {
        let text = Array("a--b o’clock Smith's -x- 1,000 e\u{301}t\u{e9} 日本語 \u{1F600}x".utf8) + [0xFF, 0x61, 0xE2, 0x80, 0x61]
        try FuzzChecks.checkTokenizer(text)
        let words = FuzzChecks.referenceSpans(text).map { String(decoding: text[$0.range], as: UTF8.self) }
        #expect(words == ["a", "b", "o’clock", "Smith's", "x", "1", "000", "e\u{301}t\u{e9}", "日本語", "x", "a", "a"])
    }
}
