import Foundation

/// Whether two paths name the same file (also through links); false when
/// either does not exist.
func sameFile(_ first: String, _ second: String) -> Bool {
    var a = stat(), b = stat()
    guard stat(first, &a) == 0, stat(second, &b) == 0 else { return false }
    return a.st_dev == b.st_dev && a.st_ino == b.st_ino
}

/// The size of the file at `path` in bytes, or nil when it cannot be read.
func fileSize(_ path: String) -> Int? {
    (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int
}
