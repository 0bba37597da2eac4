import Crypto
import Synchronization
import Foundation

/// A JSONL record's key (`--record-key FIELD` on the command line): the value a seeded record's
/// noise stream is derived from, so that a record's output depends on the
/// seed, its key and its text only — not on the file or the partition it
/// sits in, nor on its position there.
///
/// A key is a string or an integer (JSON `-?(0|[1-9][0-9]*)`); both are
/// encoded with their type, so `"7"` and `7` are different keys, and `-0` is
/// `0`. Two records of one run must not share a key: they would share their
/// noise (`RecordKeyRegistry` refuses the second one).
public struct RecordKey: Hashable, Sendable {
    /// The typed encoding: `s` and the string's UTF-8, or `i` and the integer's digits.
    let encoded: [UInt8]
    /// The key as JSON text, for messages.
    public let text: String

    /// The key field `field` of the JSONL record `line`.
    public static func locate(field: String, in line: ArraySlice<UInt8>) throws(RecordKeyError) -> RecordKey {
        let location: FieldLocation
        do {
            location = try JSONLine.locate(field: field, in: line, requireString: false)
        } catch .missingField {
            throw .missing(field: field)
        } catch .duplicateField {
            throw .ambiguous(field: field)
        } catch {
            throw .invalid(error)
        }
        if let string = location.value {
            return RecordKey(encoded: Array("s".utf8) + Array(string.utf8),
                             text: String(decoding: JSONString.encode(string), as: UTF8.self))
        }
        let token = Array(line[location.valueRange])
        let digits = token.first == UInt8(ascii: "-") ? token.dropFirst() : token[...]
        guard !digits.isEmpty, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            throw .notAScalar(field: field, found: String(decoding: token.prefix(40), as: UTF8.self))
        }
        let canonical = digits == [UInt8(ascii: "0")] ? digits[...] : token[...]
        return RecordKey(encoded: Array("i".utf8) + canonical, text: String(decoding: canonical, as: UTF8.self))
    }

    /// 128 bits that tell keys apart (a SHA-256 prefix), for the duplicate check.
    var identity: Identity {
        let digest = Array(SHA256.hash(data: Array("dptext record key\u{0}".utf8) + encoded))
        return Identity(high: Self.word(digest, 0), low: Self.word(digest, 8))
    }

    struct Identity: Hashable, Sendable {
        let high: UInt64, low: UInt64
    }

    /// The seeded stream of this record's field `field` (nil: no field):
    /// xoshiro256** with its whole 256-bit state the SHA-256 of the seed, the
    /// field (its length first, so that field and key cannot run together)
    /// and the key.
    func stream(seed: UInt64, field: String?) -> SeededGenerator {
        var material = Array("dptext record stream\u{0}".utf8)
        withUnsafeBytes(of: seed.littleEndian) { material.append(contentsOf: $0) }
        if let field {
            withUnsafeBytes(of: UInt64(field.utf8.count).littleEndian) { material.append(contentsOf: $0) }
            material.append(contentsOf: field.utf8)
        }
        let digest = Array(SHA256.hash(data: material + encoded))
        return SeededGenerator(state: (Self.word(digest, 0), Self.word(digest, 8), Self.word(digest, 16), Self.word(digest, 24)))
    }

    private static func word(_ bytes: [UInt8], _ offset: Int) -> UInt64 {
        bytes[offset..<offset + 8].reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }
}

/// Why a record's key could not be read.
public enum RecordKeyError: Error, CustomStringConvertible {
    case missing(field: String)
    case ambiguous(field: String)
    case notAScalar(field: String, found: String)
    case invalid(JSONLineError)

    public var description: String {
        switch self {
        case .missing(let field):
            return "the record has no top-level key field \(Self.quoted(field)) (the record key); every record needs one"
        case .ambiguous(let field):
            return "key field \(Self.quoted(field)) appears more than once at the top level (the record key)"
        case .notAScalar(let field, let found):
            return "key field \(Self.quoted(field)) is \(found), not a string or an integer (the record key)"
        case .invalid(let error):
            return error.description
        }
    }

    private static func quoted(_ name: String) -> String { String(decoding: JSONString.encode(name), as: UTF8.self) }
}

/// The keys a run has used, so that no two records share a noise stream.
/// Holds 16 bytes and a line reference per record (about 50 bytes with the
/// table: 500 MB for ten million records).
public final class RecordKeyRegistry: Sendable {
    private struct Place { let input: Int32, line: Int }
    private struct State {
        var seen: [RecordKey.Identity: Place] = [:]
        var paths: [Int: String] = [:]
    }
    private let state = Mutex(State())

    public init() {}

    /// Records the keys of consecutive records of input number `input` at
    /// `path` (1-based lines), or throws for the first that an earlier record
    /// of the run — in any input — already has.
    func register(_ keys: [(key: RecordKey, line: Int)], input: Int, path: String) throws(PipelineError) {
        let duplicate: PipelineError? = state.withLock { state in
            state.paths[input] = path
            for (key, line) in keys {
                if let first = state.seen.updateValue(Place(input: Int32(input), line: line), forKey: key.identity) {
                    state.seen[key.identity] = first
                    return .duplicateRecordKey(path: path, line: line, key: key.text,
                                               firstPath: state.paths[Int(first.input)] ?? "", firstLine: first.line)
                }
            }
            return nil
        }
        if let duplicate { throw duplicate }
    }
}
