import CHDF5
import Foundation

extension EmbeddingStore {
    /// Opens an HDF5 embedding store (format: `Embeddings/README.md`).
    ///
    /// Reads dataset `words` (1-D, variable- or fixed-length strings) and
    /// dataset `vectors` (2-D float32 or float64, `[V, D]`), plus the optional
    /// string attributes `name`, `source` and `license` of the root group.
    /// With `vocabLimit`, only the first `vocabLimit` rows are read.
    ///
    /// - Throws: `EmbeddingStoreError`, naming `path`, for anything that is not
    ///   a valid store: missing or unreadable file, not HDF5, truncated or
    ///   corrupt, missing datasets, wrong rank or type, mismatched counts,
    ///   D = 0, empty, non-UTF-8 or duplicate words, NaN or infinite values.
    public static func load(from path: String, vocabLimit: Int? = nil) throws -> EmbeddingStore {
        try loadSubset(from: path, vocabLimit: vocabLimit, keeping: { _ in true }).subset
    }

    /// Opens only the rows of an HDF5 store whose word satisfies `isKept`,
    /// without ever holding the whole vector matrix: vectors are read in
    /// blocks of rows and only kept rows are copied. Every row is still
    /// validated (words non-empty, valid UTF-8 and unique; values finite), so
    /// a file is accepted or rejected exactly as by `load(from:vocabLimit:)`.
    ///
    /// - Returns: the kept rows, in file order, and the number of rows read
    ///   (the store's word count after `vocabLimit`).
    public static func loadSubset(
        from path: String, vocabLimit: Int? = nil, keeping isKept: (String) -> Bool
    ) throws -> (subset: EmbeddingStore, storeWords: Int) {
        if let limit = vocabLimit, limit < 1 { throw EmbeddingStoreError.invalidVocabLimit(limit) }
        try HDF5StoreReader.checkLooksLikeHDF5(path)
        return try HDF5.withScope { scope in
            let reader = try HDF5StoreReader(path: path, scope: scope)
            let (wordRows, dimension) = try reader.shape()
            let rows = min(wordRows, vocabLimit ?? wordRows)
            let words = try reader.readWords(rows: rows)
            _ = try indexWords(words, origin: path)
            let kept = words.map(isKept)
            let vectors = try reader.readVectors(rows: rows, dimension: dimension, keeping: kept, words: words)
            let subset = try EmbeddingStore(
                words: zip(words, kept).filter(\.1).map(\.0), vectors: vectors, dimension: dimension,
                metadata: reader.readMetadata(), origin: path)
            return (subset, rows)
        }
    }
}

/// Reads the parts of a store file, inside one `HDF5.withScope`.
struct HDF5StoreReader {
    let path: String
    private let scope: HDF5Scope
    private let file: hid_t

    init(path: String, scope: HDF5Scope) throws {
        self.path = path
        self.scope = scope
        guard let file = scope.file(H5Fopen(path, dptext_h5f_acc_rdonly(), dptext_h5p_default())) else {
            throw EmbeddingStoreError.corruptHDF5(path: path, detail: "libhdf5 cannot open it")
        }
        self.file = file
    }

    /// Fails fast, without libhdf5, on files that cannot be a store.
    static func checkLooksLikeHDF5(_ path: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw EmbeddingStoreError.fileNotFound(path: path)
        }
        guard !isDirectory.boolValue else {
            throw EmbeddingStoreError.unreadable(path: path, reason: "it is a directory")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw EmbeddingStoreError.unreadable(path: path, reason: "permission denied")
        }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        guard size > 0 else { throw EmbeddingStoreError.emptyFile(path: path) }
        // The signature sits at offset 0, or after a user block of 512·2^k bytes.
        var offset: UInt64 = 0
        while offset + 8 <= size {
            try? handle.seek(toOffset: offset)
            if let bytes = try? handle.read(upToCount: 8), Array(bytes) == HDF5.signature { return }
            offset = offset == 0 ? 512 : offset * 2
        }
        throw EmbeddingStoreError.notHDF5(path: path)
    }

    /// Validates both datasets' ranks, types and extents; returns `(V, D)`.
    func shape() throws -> (rows: Int, dimension: Int) {
        let words = try open("words")
        let vectors = try open("vectors")
        let wordExtent = try extent(words, name: "words", rank: 1)
        let vectorExtent = try extent(vectors, name: "vectors", rank: 2)
        guard try typeClass(of: words) == H5T_STRING else {
            throw EmbeddingStoreError.wrongType(
                path: path, dataset: "words", expected: "strings", found: try describeType(of: words))
        }
        let vectorSize = try typeSize(of: vectors)
        guard try typeClass(of: vectors) == H5T_FLOAT, vectorSize == 4 || vectorSize == 8 else {
            throw EmbeddingStoreError.wrongType(
                path: path, dataset: "vectors", expected: "float32 or float64", found: try describeType(of: vectors))
        }
        guard vectorExtent[1] > 0 else { throw EmbeddingStoreError.zeroDimension(path: path) }
        guard wordExtent[0] == vectorExtent[0] else {
            throw EmbeddingStoreError.countMismatch(path: path, words: wordExtent[0], vectors: vectorExtent[0])
        }
        guard wordExtent[0] > 0 else { throw EmbeddingStoreError.noWords(path: path) }
        try checkFileCanHold(rows: wordExtent[0], dimension: vectorExtent[1], valueSize: vectorSize)
        return (wordExtent[0], vectorExtent[1])
    }

    /// Refuses extents the file cannot hold, before anything is allocated
    /// for them: buffers are sized from the declared extents, so a damaged
    /// or forged header (a few bytes declaring 2^40 rows) would otherwise end
    /// the process with a failed allocation instead of an error. Every word
    /// takes at least one byte of the file (variable-length strings live
    /// unfiltered in the global heap), and the vectors at least 1/1032 of
    /// their size: 1:1 when contiguous, the documented layout, and deflate
    /// compresses at most 1032:1. (A store compressed further, which only
    /// near-constant vectors allow, is refused.)
    private func checkFileCanHold(rows: Int, dimension: Int, valueSize: Int) throws {
        var size: hsize_t = 0
        guard H5Fget_filesize(file, &size) >= 0, let fileSize = Int(exactly: size) else {
            throw EmbeddingStoreError.corruptHDF5(path: path, detail: "cannot read the file's size")
        }
        let (values, valuesOverflow) = rows.multipliedReportingOverflow(by: dimension)
        let (vectorBytes, bytesOverflow) = values.multipliedReportingOverflow(by: valueSize)
        guard rows <= fileSize, !valuesOverflow, !bytesOverflow, vectorBytes / 1032 <= fileSize else {
            throw EmbeddingStoreError.corruptHDF5(
                path: path,
                detail: "the datasets declare \(rows) rows of \(dimension) values, more than the file's \(fileSize) bytes can hold")
        }
    }

    /// Reads the first `rows` words, variable- or fixed-length, as UTF-8.
    func readWords(rows: Int) throws -> [String] {
        let dataset = try open("words")
        let fileType = try datatype(of: dataset)
        let isVariable = H5Tis_variable_str(fileType) > 0
        let (fileSpace, memorySpace) = try selectRows(dataset, rows: 0..<rows, columns: nil)
        // Fixed-length strings are read in the file's own type, so no padding
        // conversion can cut a word that fills its whole field.
        let memoryType = isVariable ? try stringType(size: dptext_h5t_variable()) : try copy(fileType)

        if isVariable {
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: rows)
            try check(H5Dread(dataset, memoryType, memorySpace, fileSpace, dptext_h5p_default(), &pointers),
                      reading: "words")
            defer { _ = dptext_h5_reclaim(memoryType, memorySpace, &pointers) }
            return try pointers.enumerated().map { row, pointer in
                guard let pointer else { throw EmbeddingStoreError.emptyWord(path: path, row: row + 1) }
                return try decode(UnsafeRawBufferPointer(start: pointer, count: strlen(pointer)), row: row)
            }
        }

        let width = H5Tget_size(fileType)
        let spacePadded = H5Tget_strpad(fileType) == H5T_STR_SPACEPAD
        var bytes = [UInt8](repeating: 0, count: rows * width)
        try check(H5Dread(dataset, memoryType, memorySpace, fileSpace, dptext_h5p_default(), &bytes),
                  reading: "words")
        return try bytes.withUnsafeBytes { buffer in
            try (0..<rows).map { row in
                var field = buffer[row * width..<(row + 1) * width]
                if let end = field.firstIndex(of: 0) { field = field[..<end] }
                if spacePadded { while field.last == 0x20 { field = field.dropLast() } }
                return try decode(UnsafeRawBufferPointer(rebasing: field), row: row)
            }
        }
    }

    /// Reads the kept ones among the first `rows` vectors as a row-major
    /// single-precision matrix, one block of rows at a time, checking every
    /// value read (kept or not) is finite.
    ///
    /// float64 stores are read in double precision, so that values outside
    /// the float32 range surface as infinities, then rounded to the nearest float32.
    func readVectors(rows: Int, dimension: Int, keeping kept: [Bool], words: [String]) throws -> [Float] {
        let dataset = try open("vectors")
        let isSingle = try typeSize(of: dataset) == 4
        let blockRows = max(1, (1 << 20) / dimension)
        var result = [Float]()
        result.reserveCapacity(kept.lazy.filter { $0 }.count * dimension)
        for start in stride(from: 0, to: rows, by: blockRows) {
            let count = min(blockRows, rows - start)
            let (fileSpace, memorySpace) = try selectRows(dataset, rows: start..<start + count, columns: dimension)
            let block: [Float]
            if isSingle {
                var values = [Float](repeating: 0, count: count * dimension)
                try check(H5Dread(dataset, dptext_h5t_native_float(), memorySpace, fileSpace, dptext_h5p_default(),
                                  &values), reading: "vectors")
                block = values
            } else {
                var values = [Double](repeating: 0, count: count * dimension)
                try check(H5Dread(dataset, dptext_h5t_native_double(), memorySpace, fileSpace, dptext_h5p_default(),
                                  &values), reading: "vectors")
                block = values.map(Float.init)
            }
            if let flat = block.firstIndex(where: { !$0.isFinite }) {
                let row = start + flat / dimension
                throw EmbeddingStoreError.nonFiniteValue(
                    path: path, row: row + 1, column: flat % dimension + 1, word: words[row])
            }
            for row in 0..<count where kept[start + row] {
                result.append(contentsOf: block[row * dimension..<(row + 1) * dimension])
            }
        }
        return result
    }

    /// Reads the optional string attributes of the root group.
    func readMetadata() -> EmbeddingStore.Metadata {
        EmbeddingStore.Metadata(
            name: stringAttribute("name"), source: stringAttribute("source"), license: stringAttribute("license"))
    }

    // MARK: - Helpers

    private func open(_ name: String) throws -> hid_t {
        guard H5Lexists(file, name, dptext_h5p_default()) > 0 else {
            throw EmbeddingStoreError.missingDataset(path: path, dataset: name)
        }
        guard let dataset = scope.dataset(H5Dopen2(file, name, dptext_h5p_default())) else {
            throw EmbeddingStoreError.wrongType(path: path, dataset: name, expected: "a dataset", found: "another kind of object")
        }
        return dataset
    }

    private func extent(_ dataset: hid_t, name: String, rank: Int) throws -> [Int] {
        guard let space = scope.dataspace(H5Dget_space(dataset)) else {
            throw EmbeddingStoreError.corruptHDF5(path: path, detail: "cannot read the shape of '\(name)'")
        }
        let found = Int(H5Sget_simple_extent_ndims(space))
        guard found == rank else {
            throw EmbeddingStoreError.wrongRank(path: path, dataset: name, expected: rank, found: max(found, 0))
        }
        var dims = [hsize_t](repeating: 0, count: rank)
        guard H5Sget_simple_extent_dims(space, &dims, nil) == rank else {
            throw EmbeddingStoreError.corruptHDF5(path: path, detail: "cannot read the shape of '\(name)'")
        }
        return dims.map { Int($0) }
    }

    /// Selects rows `rows` (and the first `columns` columns of a 2-D
    /// dataset) and returns the file selection with a matching memory space.
    private func selectRows(_ dataset: hid_t, rows: Range<Int>, columns: Int?) throws -> (hid_t, hid_t) {
        let count: [hsize_t] = [hsize_t(rows.count)] + (columns.map { [hsize_t($0)] } ?? [])
        let start: [hsize_t] = [hsize_t(rows.lowerBound)] + (columns.map { _ in [0] } ?? [])
        guard let fileSpace = scope.dataspace(H5Dget_space(dataset)),
              H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, start, nil, count, nil) >= 0,
              let memorySpace = scope.dataspace(H5Screate_simple(Int32(count.count), count, nil))
        else { throw EmbeddingStoreError.corruptHDF5(path: path, detail: "cannot select rows") }
        return (fileSpace, memorySpace)
    }

    private func datatype(of dataset: hid_t) throws -> hid_t {
        guard let type = scope.datatype(H5Dget_type(dataset)) else {
            throw EmbeddingStoreError.corruptHDF5(path: path, detail: "cannot read a dataset's type")
        }
        return type
    }

    private func typeClass(of dataset: hid_t) throws -> H5T_class_t {
        H5Tget_class(try datatype(of: dataset))
    }

    private func typeSize(of dataset: hid_t) throws -> Int {
        H5Tget_size(try datatype(of: dataset))
    }

    private func describeType(of dataset: hid_t) throws -> String {
        let type = try datatype(of: dataset)
        let bits = H5Tget_size(type) * 8
        switch H5Tget_class(type) {
        case H5T_INTEGER: return "\(bits)-bit integers"
        case H5T_FLOAT: return "\(bits)-bit floats"
        case H5T_STRING: return "strings"
        case H5T_COMPOUND: return "compound records"
        case H5T_ENUM: return "enumerated values"
        case H5T_ARRAY: return "arrays"
        case H5T_VLEN: return "variable-length sequences"
        default: return "an unsupported type"
        }
    }

    private func stringType(size: Int) throws -> hid_t {
        guard let type = scope.datatype(H5Tcopy(dptext_h5t_c_s1())),
              H5Tset_size(type, size) >= 0
        else { throw EmbeddingStoreError.corruptHDF5(path: path, detail: "cannot build a string type") }
        _ = H5Tset_cset(type, H5T_CSET_UTF8)
        return type
    }

    private func copy(_ type: hid_t) throws -> hid_t {
        guard let copy = scope.datatype(H5Tcopy(type)) else {
            throw EmbeddingStoreError.corruptHDF5(path: path, detail: "cannot copy a string type")
        }
        return copy
    }

    private func check(_ status: herr_t, reading dataset: String) throws {
        guard status >= 0 else {
            throw EmbeddingStoreError.corruptHDF5(path: path, detail: "cannot read dataset '\(dataset)'")
        }
    }

    private func decode(_ bytes: UnsafeRawBufferPointer, row: Int) throws -> String {
        guard !bytes.isEmpty else { throw EmbeddingStoreError.emptyWord(path: path, row: row + 1) }
        guard let word = String(validating: bytes, as: UTF8.self) else {
            throw EmbeddingStoreError.invalidUTF8Word(path: path, row: row + 1)
        }
        return word
    }

    private func stringAttribute(_ name: String) -> String? {
        guard H5Aexists(file, name) > 0,
              let attribute = scope.attribute(H5Aopen(file, name, dptext_h5p_default())),
              let type = scope.datatype(H5Aget_type(attribute)),
              H5Tget_class(type) == H5T_STRING,
              let space = scope.dataspace(H5Aget_space(attribute)),
              H5Sget_simple_extent_npoints(space) == 1
        else { return nil }
        if H5Tis_variable_str(type) > 0 {
            guard let memoryType = try? stringType(size: dptext_h5t_variable()) else { return nil }
            var pointer: UnsafeMutablePointer<CChar>? = nil
            guard H5Aread(attribute, memoryType, &pointer) >= 0, let text = pointer else { return nil }
            defer { _ = dptext_h5_reclaim(memoryType, space, &pointer) }
            return String(validatingCString: text)
        }
        let width = H5Tget_size(type)
        guard let memoryType = try? copy(type) else { return nil }
        var bytes = [UInt8](repeating: 0, count: width + 1)
        guard H5Aread(attribute, memoryType, &bytes) >= 0 else { return nil }
        let field = bytes.prefix { $0 != 0 }
        return String(validating: field, as: UTF8.self)?.trimmingCharacters(in: .whitespaces)
    }
}
