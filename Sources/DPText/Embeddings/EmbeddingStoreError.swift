/// Why an embedding store could not be opened, imported or written.
///
/// Every case names the file it is about and, through `description`, says
/// what is wrong and what to do about it. Locations are 1-based (`line`,
/// `row`) because they are shown to people.
public enum EmbeddingStoreError: Error, Equatable, CustomStringConvertible {
    case fileNotFound(path: String)
    case unreadable(path: String, reason: String)
    case emptyFile(path: String)
    case notHDF5(path: String)
    case corruptHDF5(path: String, detail: String)
    case missingDataset(path: String, dataset: String)
    case wrongRank(path: String, dataset: String, expected: Int, found: Int)
    case wrongType(path: String, dataset: String, expected: String, found: String)
    case countMismatch(path: String, words: Int, vectors: Int)
    case zeroDimension(path: String)
    case noWords(path: String)
    case nonFiniteValue(path: String, row: Int, column: Int, word: String)
    case emptyWord(path: String, row: Int)
    case invalidUTF8Word(path: String, row: Int)
    case duplicateWord(path: String, word: String, firstRow: Int, secondRow: Int)
    case invalidVocabLimit(Int)
    case writeFailed(path: String, detail: String)
    /// Text import: a line whose fields do not parse.
    case malformedText(path: String, line: Int, detail: String)

    public var description: String {
        switch self {
        case .fileNotFound(let path):
            return "\(path): no such file. Check the path."
        case .unreadable(let path, let reason):
            return "\(path): cannot be read (\(reason)). Check the file's permissions."
        case .emptyFile(let path):
            return "\(path): the file is empty, not an HDF5 embedding store. Rebuild or re-download it."
        case .notHDF5(let path):
            return "\(path): not an HDF5 file. Convert text embeddings with `dptext embeddings import`."
        case .corruptHDF5(let path, let detail):
            return "\(path): the HDF5 file is truncated or corrupt (\(detail)). Rebuild or re-download it."
        case .missingDataset(let path, let dataset):
            return "\(path): no dataset '\(dataset)'. A store needs datasets 'words' and 'vectors' (see Embeddings/README.md)."
        case .wrongRank(let path, let dataset, let expected, let found):
            return "\(path): dataset '\(dataset)' has \(found) dimension(s); expected \(expected) (see Embeddings/README.md)."
        case .wrongType(let path, let dataset, let expected, let found):
            return "\(path): dataset '\(dataset)' holds \(found); expected \(expected) (see Embeddings/README.md)."
        case .countMismatch(let path, let words, let vectors):
            return "\(path): 'words' has \(words) entries but 'vectors' has \(vectors) rows; they must match."
        case .zeroDimension(let path):
            return "\(path): 'vectors' has 0 columns; embeddings need at least one dimension."
        case .noWords(let path):
            return "\(path): the store has no words."
        case .nonFiniteValue(let path, let row, let column, let word):
            return "\(path): vector of '\(word)' (row \(row)) has a NaN or infinite value in column \(column). Fix or remove that row."
        case .emptyWord(let path, let row):
            return "\(path): word at row \(row) is empty. Every word must be a non-empty string."
        case .invalidUTF8Word(let path, let row):
            return "\(path): word at row \(row) is not valid UTF-8. Re-encode the vocabulary as UTF-8."
        case .duplicateWord(let path, let word, let firstRow, let secondRow):
            return "\(path): word '\(word)' appears twice (rows \(firstRow) and \(secondRow)). Words must be unique."
        case .invalidVocabLimit(let limit):
            return "the vocabulary limit must be at least 1 (got \(limit))."
        case .writeFailed(let path, let detail):
            return "\(path): could not write the store (\(detail)). Check that the folder exists and is writable."
        case .malformedText(let path, let line, let detail):
            return "\(path):\(line): \(detail)"
        }
    }
}
