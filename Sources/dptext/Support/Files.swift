import Foundation

/// What a path names on disk — device and inode — to tell whether two
/// paths, or a path and an open descriptor, are one file.
struct FileIdentity: Equatable {
    let device: UInt64
    let inode: UInt64
    /// The null device: writing to it twice harms nothing, so it may be named twice.
    let isNullDevice: Bool

    init(_ status: stat) {
        device = UInt64(status.st_dev)
        inode = UInt64(status.st_ino)
        isNullDevice = (status.st_mode & S_IFMT) == S_IFCHR && status.st_rdev == 0x103  // major 1, minor 3 (Linux)
    }

    /// The file at `path` (through links), nil when there is none.
    init?(path: String) {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        self.init(status)
    }

    /// The file open as `descriptor` (standard input: 0), nil when it is closed.
    init?(descriptor: Int32) {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return nil }
        self.init(status)
    }
}

/// Whether two paths name the same file (also through links); false when
/// either does not exist.
func sameFile(_ first: String, _ second: String) -> Bool {
    guard let a = FileIdentity(path: first), let b = FileIdentity(path: second) else { return false }
    return a == b
}

/// `path` made absolute with the links of its folder resolved: two paths
/// to a file that does not exist yet name the same file exactly when these agree.
func resolvedPath(_ path: String) -> String {
    let url = URL(fileURLWithPath: path)
    let folder = url.deletingLastPathComponent().path
    guard let resolved = realpath(folder, nil) else { return url.standardizedFileURL.path }
    defer { free(resolved) }
    return URL(fileURLWithPath: String(cString: resolved)).appendingPathComponent(url.lastPathComponent).path
}

/// The size of the file at `path` in bytes, or nil when it cannot be read.
func fileSize(_ path: String) -> Int? {
    (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int
}
