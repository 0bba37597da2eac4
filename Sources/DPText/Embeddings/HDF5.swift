import CHDF5
import Synchronization

/// Thin, safe handles over the libhdf5 C API, just what the store needs.
///
/// libhdf5 may be built without thread safety, so every call into it runs
/// under one process-wide lock (`HDF5.withLock`). HDF5 prints an error stack
/// to stderr on failure by default; that is turned off, because every
/// failure here becomes an `EmbeddingStoreError` that names the file. A
/// thread-safe build keeps that setting per thread, hence it is set on
/// every entry.
enum HDF5 {
    private static let lock = Mutex(())

    /// Runs `body` while holding the library lock, with error printing off.
    static func withLock<T>(_ body: () throws -> T) rethrows -> T {
        try lock.withLock { _ in
            H5Eset_auto2(dptext_h5e_default(), nil, nil)
            return try body()
        }
    }

    /// The 8-byte signature every HDF5 file starts with (at offset 0 unless
    /// the file has a user block, then at 512, 1024, 2048, …).
    static let signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]
}

/// Owns the HDF5 identifiers opened during one load or write and closes
/// them, newest first, when the work is done.
///
/// Identifiers are plain `hid_t` values while the scope lives. Closing
/// per identifier in a `deinit` would be wrong: Swift may end an object's
/// lifetime right after its last use, i.e. before the C call that uses the
/// identifier it handed out.
final class HDF5Scope {
    private var opened: [(id: hid_t, close: (hid_t) -> herr_t)] = []

    /// Tracks `id`, or returns nil when the C call that produced it failed (`id < 0`).
    private func track(_ id: hid_t, _ close: @escaping (hid_t) -> herr_t) -> hid_t? {
        guard id >= 0 else { return nil }
        opened.append((id, close))
        return id
    }

    func file(_ id: hid_t) -> hid_t? { track(id, H5Fclose) }
    func dataset(_ id: hid_t) -> hid_t? { track(id, H5Dclose) }
    func dataspace(_ id: hid_t) -> hid_t? { track(id, H5Sclose) }
    func datatype(_ id: hid_t) -> hid_t? { track(id, H5Tclose) }
    func attribute(_ id: hid_t) -> hid_t? { track(id, H5Aclose) }

    /// Closes everything opened so far.
    func closeAll() {
        for entry in opened.reversed() { _ = entry.close(entry.id) }
        opened.removeAll()
    }
}

extension HDF5 {
    /// Runs `body` under the library lock with a scope whose identifiers are
    /// all closed when `body` returns or throws.
    static func withScope<T>(_ body: (HDF5Scope) throws -> T) rethrows -> T {
        try withLock {
            let scope = HDF5Scope()
            defer { scope.closeAll() }
            return try body(scope)
        }
    }
}
