import Foundation
import Synchronization
import Testing
@testable import DPText

/// A cache file is used only when this user's dptext wrote it: signed with
/// the user's key, in a folder no one else can write.
@Suite("Signed cache folders")
struct CacheFolderTests {
    /// Warnings a folder gave.
    final class Warnings: Sendable {
        let list = Mutex<[String]>([])
        var all: [String] { list.withLock { $0 } }
        func add(_ message: String) { list.withLock { $0.append(message) } }
    }

    @Test("a saved file loads back; a changed, renamed, foreign-key or short file is rejected and reported")
    func signatures() throws {
        let folder = try TestData.temporaryFolder()
        defer { TestData.cleanUp(folder) }
        let warnings = Warnings()
        let cache = try TestData.cacheFolder(folder.appendingPathComponent("cache"), warn: warnings.add)
        let payload = Data((0..<1000).map { UInt8(truncatingIfNeeded: $0 * 7) })
        try cache.save("table.bin", payload)
        #expect(cache.lookUp("table.bin") == .valid(payload))
        #expect(cache.lookUp("absent.bin") == .missing)
        #expect(warnings.all.isEmpty)

        // One bit changed anywhere: rejected.
        let file = URL(fileURLWithPath: cache.file("table.bin"))
        var bytes = try Data(contentsOf: file)
        bytes[500] ^= 1
        try bytes.write(to: file)
        guard case .rejected(let reason) = cache.lookUp("table.bin") else { Issue.record("a changed file was used"); return }
        #expect(reason.contains("signature does not match") && warnings.all.isEmpty, "lookUp only describes")
        #expect(cache.load("table.bin") == nil, "load rejects it, reports it and removes it")
        #expect(warnings.all.count == 1 && warnings.all[0].contains(file.path) && warnings.all[0].contains("removed"))
        #expect(!FileManager.default.fileExists(atPath: file.path))

        // A valid file under another name (another kind, store or width): rejected.
        try cache.save("table.bin", payload)
        try FileManager.default.copyItem(atPath: cache.file("table.bin"), toPath: cache.file("other.bin"))
        #expect(cache.load("other.bin") == nil)

        // Signed with another key (another user's dptext): rejected.
        let stranger = try CacheFolder(path: cache.path, key: .random())
        try stranger.save("table.bin", payload)
        #expect(stranger.lookUp("table.bin") == .valid(payload))
        #expect(cache.load("table.bin") == nil)

        // Too short to hold a signature: rejected.
        try Data([1, 2, 3]).write(to: file)
        #expect(cache.load("table.bin") == nil)
        #expect(warnings.all.count == 4 && !FileManager.default.fileExists(atPath: file.path))
    }

    @Test("a folder other users can write, or another user owns, is refused")
    func folderPermissions() throws {
        let folder = try TestData.temporaryFolder()
        defer { TestData.cleanUp(folder) }
        let open = folder.appendingPathComponent("open")
        try FileManager.default.createDirectory(at: open, withIntermediateDirectories: false)
        chmod(open.path, 0o777)
        #expect {
            try TestData.cacheFolder(open)
        } throws: { error in
            "\(error)".contains("other users can write it (mode 777)") && "\(error)".contains("chmod go-w \(open.path)")
        }
        chmod(open.path, 0o755)
        _ = try TestData.cacheFolder(open)

        // A new folder is created for its owner only.
        let created = folder.appendingPathComponent("a/b/cache")
        _ = try TestData.cacheFolder(created)
        var status = stat()
        #expect(stat(created.path, &status) == 0 && status.st_mode & 0o777 == 0o700)

        // Only root can give a folder away; elsewhere this part cannot run.
        if geteuid() == 0 {
            let foreign = folder.appendingPathComponent("foreign")
            try FileManager.default.createDirectory(at: foreign, withIntermediateDirectories: false)
            #expect(chown(foreign.path, 65534, 65534) == 0)
            #expect {
                try TestData.cacheFolder(foreign)
            } throws: { error in "\(error)".contains("belongs to another user (uid 65534)") }
        }
    }

    @Test("the key is created once, 32 bytes, mode 0600; an exposed or malformed key is refused")
    func key() throws {
        let folder = try TestData.temporaryFolder()
        defer { TestData.cleanUp(folder) }
        let path = folder.appendingPathComponent("config/dptext/cache.key").path
        let first = try CacheKey.loadOrCreate(at: path)
        let again = try CacheKey.loadOrCreate(at: path)
        #expect(first.bytes == again.bytes && first.bytes.count == 32)
        #expect(first.bytes != (try CacheKey.loadOrCreate(at: folder.appendingPathComponent("other.key").path)).bytes)
        var status = stat()
        #expect(stat(path, &status) == 0 && status.st_mode & 0o777 == 0o600)

        chmod(path, 0o644)
        #expect {
            try CacheKey.loadOrCreate(at: path)
        } throws: { error in
            guard case .unsafeKey = error as? CacheError else { return false }
            return "\(error)".contains("permissions 644") && "\(error)".contains("chmod 600 \(path)")
        }
        chmod(path, 0o600)
        try Data(repeating: 1, count: 31).write(to: URL(fileURLWithPath: path))
        #expect { try CacheKey.loadOrCreate(at: path) } throws: { "\($0)".contains("holds 31 bytes, not 32") }

        // The key's folder must be its owner's alone too.
        try FileManager.default.removeItem(atPath: path)
        let keyFolder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        chmod(keyFolder, 0o777)
        #expect { try CacheKey.loadOrCreate(at: path) } throws: { "\($0)".contains("other users can write it") }
    }

    @Test("the key's place: $DPTEXT_CACHE_KEY, else $XDG_CONFIG_HOME/dptext, else ~/.config/dptext")
    func keyPath() {
        #expect(CacheKey.defaultPath(environment: ["DPTEXT_CACHE_KEY": "/k", "XDG_CONFIG_HOME": "/c"]) == "/k")
        #expect(CacheKey.defaultPath(environment: ["XDG_CONFIG_HOME": "/c"]) == "/c/dptext/cache.key")
        #expect(CacheKey.defaultPath(environment: [:]).hasSuffix("/.config/dptext/cache.key"))
    }
}
