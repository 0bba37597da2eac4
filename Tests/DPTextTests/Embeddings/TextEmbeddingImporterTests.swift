import Foundation
import Testing
@testable import DPText

@Suite("Import of GloVe and word2vec text")
struct TextEmbeddingImporterTests {
    /// Writes `text` to a temporary file and imports it.
    private func importing(_ text: String) throws -> TextEmbeddingImporter.Result {
        let folder = try TestData.temporaryFolder()
        defer { TestData.cleanUp(folder) }
        let path = folder.appendingPathComponent("vectors.txt").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return try TextEmbeddingImporter.load(from: path)
    }

    /// The error importing `text` throws, with the temporary path replaced by "F".
    private func importError(_ text: String) throws -> String {
        do {
            _ = try importing(text)
        } catch let error as EmbeddingStoreError {
            guard case .malformedText(_, let line, let detail) = error else { return "\(error)" }
            return "F:\(line): \(detail)"
        }
        Issue.record("import succeeded")
        return ""
    }

    @Test func importsGloVeText() throws {
        let result = try importing("the 0.418 0.24968 -0.41242\n, 0.013441 0.23682 -0.16899\nprivacy 1 -2e-3 3.5\n")
        #expect(result.format == .glove)
        #expect(result.store.words == ["the", ",", "privacy"])
        #expect(result.store.dimension == 3)
        #expect(result.store.vectors == [0.418, 0.24968, -0.41242, 0.013441, 0.23682, -0.16899, 1, -0.002, 3.5])
    }

    @Test func importsWord2VecTextWithCRLFTabsAndTrailingSpace() throws {
        let result = try importing("2 3\r\nhello 1 2 3 \r\nworld\t-1\t-2\t-3\r\n")
        #expect(result.format == .word2vec)
        #expect(result.store.words == ["hello", "world"])
        #expect(result.store.vectors == [1, 2, 3, -1, -2, -3])
    }

    @Test func importsLastLineWithoutNewlineAndSkipsBlankLines() throws {
        let result = try importing("a 1 2\n\n   \nb 3 4")
        #expect(result.store.words == ["a", "b"])
    }

    @Test func numbersAreCorrectlyRoundedToFloat32() throws {
        let result = try importing("x 0.1 16777217 1e-46\n")
        #expect(result.store.vectors == [0.1 as Float, 16_777_216, 0])
    }

    @Test func importsUTF8Words() throws {
        let result = try importing("café 1\n日本 2\n")
        #expect(result.store.words == ["café", "日本"])
    }

    @Test func rejectsRaggedRows() throws {
        #expect(try importError("a 1 2 3\nb 1 2\n")
            == "F:2: expected a word and 3 numbers (as on the first row), found 3 fields")
        #expect(try importError("2 2\na 1 2\nb 1 2 3\n")
            == "F:3: expected a word and 2 numbers (as on the first row), found 4 fields")
    }

    @Test func rejectsBadNumbers() throws {
        #expect(try importError("a 1 2\nb 1 x2\n") == "F:2: value 2 of 'b' is not a finite number: 'x2'")
        #expect(try importError("a 1 2\nb nan 2\n") == "F:2: value 1 of 'b' is not a finite number: 'nan'")
        #expect(try importError("a 1 2\nb 1 1e99\n") == "F:2: value 2 of 'b' is not a finite number: '1e99'")
        #expect(try importError("a 1 2\nb 1,5 2\n") == "F:2: value 1 of 'b' is not a finite number: '1,5'")
    }

    @Test func rejectsHeaderThatDisagreesWithTheRows() throws {
        #expect(try importError("3 2\na 1 2\nb 3 4\n") == "F:3: the word2vec header declares 3 words but the file has 2")
    }

    @Test func rejectsDuplicateWordsNamingBothLines() throws {
        #expect(try importError("a 1\nb 2\na 3\n") == "F:3: word 'a' was already defined on line 1; words must be unique")
    }

    @Test func rejectsFilesWithoutEmbeddings() throws {
        #expect(try importError("") == "F:0: no embeddings found")
        #expect(try importError("lonely\n") == "F:1: expected a word followed by its vector components, found one field")
    }

    @Test func rejectsInvalidUTF8Words() throws {
        let folder = try TestData.temporaryFolder()
        defer { TestData.cleanUp(folder) }
        let path = folder.appendingPathComponent("latin1.txt").path
        try Data([0x61, 0x20, 0x31, 0x0A, 0x63, 0x61, 0x66, 0xE9, 0x20, 0x32, 0x0A]).write(to: URL(fileURLWithPath: path))
        #expect(throws: EmbeddingStoreError.malformedText(path: path, line: 2, detail: "the word is not valid UTF-8")) {
            try TextEmbeddingImporter.load(from: path)
        }
    }

    @Test func importedStoreRoundTripsThroughHDF5() throws {
        let folder = try TestData.temporaryFolder()
        defer { TestData.cleanUp(folder) }
        let store = try importing("the 0.418 0.24968\nof 0.70853 0.57088\n").store
        let path = folder.appendingPathComponent("out.h5").path
        try store.write(to: path)
        let loaded = try EmbeddingStore.load(from: path)
        #expect(loaded.words == store.words)
        #expect(loaded.vectors == store.vectors)
    }
}
