import Crypto

/// Where a run's randomness comes from.
///
/// By default the system CSPRNG (`SystemRandomStream`: OpenSSL's DRBG,
/// seeded from the kernel, read in large buffers). With a user-given seed, a
/// reproducible generator per record: record i of input file f draws from
/// stream `(f, i)` of the seed — or, with `--record-key`, from the stream of
/// its key — so output is byte-identical across runs, thread counts and chunk
/// sizes, and anyone who knows the seed knows the noise, which the run
/// report says.
///
/// A JSONL field's streams are also derived from the field's name: the
/// `title` and the `body` of one record, privatized by two runs with one
/// seed, draw independent noise (the same stream twice would give two
/// fields correlated outputs). Text lines have no field.
public enum NoiseSource: Sendable, Equatable {
    case system
    case seeded(UInt64)

    public var isSeeded: Bool { self != .system }

    /// The generators of consecutive records of input `input`, the first
    /// being record `firstRecord`, for one thread: with a seed, each record's
    /// own stream (its key's when `keys` gives one); without, one system
    /// stream that every record draws from in turn (fresh words, never reused).
    ///
    /// - Parameter field: the JSONL field being privatized (nil for text lines).
    public func generators(input: Int, firstRecord: Int, count: Int, keys: [RecordKey?] = [], field: String? = nil)
        -> [NoiseGenerator] {
        switch self {
        case .system:
            let stream = SystemRandomStream()
            return (0..<count).map { _ in .system(stream) }
        case .seeded:
            return (0..<count).map { offset in
                let key = offset < keys.count ? keys[offset] : nil
                return key.map { generator(key: $0, field: field) }
                    ?? generator(input: input, record: firstRecord + offset, field: field)
            }
        }
    }

    /// The generator of the record with key `key` (`--record-key`) for its
    /// field `field`: with a seed, a stream derived from the seed, the field
    /// and the key alone.
    public func generator(key: RecordKey, field: String?) -> NoiseGenerator {
        switch self {
        case .system: return .system(SystemRandomStream())
        case .seeded(let seed): return .seeded(key.stream(seed: seed, field: field))
        }
    }

    /// The generator for record `record` of input `input` (its field `field`, if a JSONL field).
    public func generator(input: Int, record: Int, field: String? = nil) -> NoiseGenerator {
        switch self {
        case .system: return .system(SystemRandomStream())
        case .seeded(let seed):
            let seed = field.map { Self.fieldSeed(seed, field: $0) } ?? seed
            return .seeded(SeededGenerator(seed: seed, stream: UInt64(input) << 40 ^ UInt64(record)))
        }
    }

    /// The seed of field `field`'s positional streams: the first 8 bytes of
    /// SHA-256("dptext field stream" ‖ 0 ‖ seed ‖ field).
    static func fieldSeed(_ seed: UInt64, field: String) -> UInt64 {
        var material = Array("dptext field stream\u{0}".utf8)
        withUnsafeBytes(of: seed.littleEndian) { material.append(contentsOf: $0) }
        material.append(contentsOf: field.utf8)
        return SHA256.hash(data: material).prefix(8).reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }
}

/// A generator of either kind behind one concrete type: a seeded stream,
/// or a view of a `SystemRandomStream` (copies share its buffer).
public struct NoiseGenerator: RandomNumberGenerator {
    private var seeded: SeededGenerator
    /// The system stream's buffer and position (nil: seeded), and the stream that owns them.
    private let words: UnsafeMutablePointer<UInt64>?
    private let position: UnsafeMutablePointer<Int>?
    private let stream: SystemRandomStream?

    public static func system(_ stream: SystemRandomStream) -> NoiseGenerator {
        NoiseGenerator(seeded: SeededGenerator(seed: 0), words: stream.words, position: stream.position, stream: stream)
    }

    public static func seeded(_ generator: SeededGenerator) -> NoiseGenerator {
        NoiseGenerator(seeded: generator, words: nil, position: nil, stream: nil)
    }

    public var isSeeded: Bool { stream == nil }

    @inline(__always)
    public mutating func next() -> UInt64 {
        if let words, let position { return SystemRandomStream.nextWord(words: words, position: position) }
        return seeded.next()
    }
}
