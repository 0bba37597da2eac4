import CHDF5
import Foundation

extension EmbeddingStore {
    /// Writes the store in the format `load(from:)` reads: `words` as
    /// variable-length UTF-8 strings (as h5py's `string_dtype()` writes them),
    /// `vectors` as little-endian float32 `[V, D]`, and the metadata as
    /// variable-length UTF-8 root attributes.
    ///
    /// The file is written beside `path` under a temporary name and renamed
    /// into place only once complete, so a failure never leaves a partial
    /// store behind and an existing file at `path` is replaced atomically.
    public func write(to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).partial")
            .path
        do {
            try HDF5.withScope { try HDF5StoreWriter(path: temporary, finalPath: path, scope: $0).write(self) }
            guard rename(temporary, path) == 0 else {
                throw EmbeddingStoreError.writeFailed(path: path, detail: String(cString: strerror(errno)))
            }
        } catch {
            unlink(temporary)
            throw error
        }
    }
}

/// Writes one store file, inside one `HDF5.withScope`.
private struct HDF5StoreWriter {
    let path: String
    let finalPath: String
    let scope: HDF5Scope

    func write(_ store: EmbeddingStore) throws {
        guard let file = scope.file(
            H5Fcreate(path, dptext_h5f_acc_trunc(), dptext_h5p_default(), dptext_h5p_default()))
        else { throw failure("cannot create the file") }
        try writeWords(store.words, in: file)
        try writeVectors(store.vectors, rows: store.count, dimension: store.dimension, in: file)
        for (name, value) in [("name", store.metadata.name), ("source", store.metadata.source),
                              ("license", store.metadata.license)] {
            if let value { try writeAttribute(name, value, in: file) }
        }
        guard H5Fflush(file, H5F_SCOPE_GLOBAL) >= 0 else { throw failure("cannot flush the file") }
    }

    private func writeWords(_ words: [String], in file: hid_t) throws {
        let type = try utf8StringType()
        var dims = [hsize_t(words.count)]
        guard let space = scope.dataspace(H5Screate_simple(1, &dims, nil)),
              let dataset = scope.dataset(H5Dcreate2(
                file, "words", type, space, dptext_h5p_default(), dptext_h5p_default(), dptext_h5p_default()))
        else { throw failure("cannot create dataset 'words'") }
        // HDF5 takes an array of C string pointers; keep all words in one
        // NUL-separated buffer so the pointers stay valid during the call.
        var buffer = [CChar]()
        var offsets = [Int]()
        for word in words {
            offsets.append(buffer.count)
            buffer.append(contentsOf: word.utf8CString)
        }
        let status = buffer.withUnsafeBufferPointer { base -> herr_t in
            var pointers: [UnsafePointer<CChar>?] = offsets.map { base.baseAddress! + $0 }
            return H5Dwrite(dataset, type, dptext_h5s_all(), dptext_h5s_all(), dptext_h5p_default(), &pointers)
        }
        guard status >= 0 else { throw failure("cannot write dataset 'words'") }
    }

    private func writeVectors(_ vectors: [Float], rows: Int, dimension: Int, in file: hid_t) throws {
        var dims = [hsize_t(rows), hsize_t(dimension)]
        guard let space = scope.dataspace(H5Screate_simple(2, &dims, nil)),
              let dataset = scope.dataset(H5Dcreate2(
                file, "vectors", dptext_h5t_ieee_f32le(), space,
                dptext_h5p_default(), dptext_h5p_default(), dptext_h5p_default()))
        else { throw failure("cannot create dataset 'vectors'") }
        let status = vectors.withUnsafeBufferPointer {
            H5Dwrite(dataset, dptext_h5t_native_float(), dptext_h5s_all(), dptext_h5s_all(), dptext_h5p_default(),
                     $0.baseAddress)
        }
        guard status >= 0 else { throw failure("cannot write dataset 'vectors'") }
    }

    private func writeAttribute(_ name: String, _ value: String, in file: hid_t) throws {
        let type = try utf8StringType()
        guard let space = scope.dataspace(H5Screate(H5S_SCALAR)),
              let attribute = scope.attribute(H5Acreate2(
                file, name, type, space, dptext_h5p_default(), dptext_h5p_default()))
        else { throw failure("cannot create attribute '\(name)'") }
        let status = value.withCString { cString -> herr_t in
            var pointer: UnsafePointer<CChar>? = cString
            return H5Awrite(attribute, type, &pointer)
        }
        guard status >= 0 else { throw failure("cannot write attribute '\(name)'") }
    }

    private func utf8StringType() throws -> hid_t {
        guard let type = scope.datatype(H5Tcopy(dptext_h5t_c_s1())),
              H5Tset_size(type, dptext_h5t_variable()) >= 0,
              H5Tset_cset(type, H5T_CSET_UTF8) >= 0
        else { throw failure("cannot build a string type") }
        return type
    }

    private func failure(_ detail: String) -> EmbeddingStoreError {
        .writeFailed(path: finalPath, detail: detail)
    }
}
