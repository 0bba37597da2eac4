/// Where a run's randomness comes from.
///
/// By default the system CSPRNG (`SystemRandomNumberGenerator`: getrandom(2)
/// on Linux). With a user-given seed, a reproducible generator per record:
/// record i of input file f draws from stream `(f, i)` of the seed, so
/// output is byte-identical across runs, thread counts and chunk sizes — and
/// anyone who knows the seed knows the noise, which the run report says.
public enum NoiseSource: Sendable, Equatable {
    case system
    case seeded(UInt64)

    public var isSeeded: Bool { self != .system }

    /// The generator of the record with key `key` (`--record-key`): with a
    /// seed, a stream derived from the seed and the key alone.
    public func generator(key: RecordKey) -> NoiseGenerator {
        switch self {
        case .system: return .system(SystemRandomNumberGenerator())
        case .seeded(let seed): return .seeded(key.stream(seed: seed))
        }
    }

    /// The generator for record `record` of input `input`.
    public func generator(input: Int, record: Int) -> NoiseGenerator {
        switch self {
        case .system: return .system(SystemRandomNumberGenerator())
        case .seeded(let seed):
            return .seeded(SeededGenerator(seed: seed, stream: UInt64(input) << 40 ^ UInt64(record)))
        }
    }
}

/// A generator of either kind behind one concrete type.
public enum NoiseGenerator: RandomNumberGenerator {
    case system(SystemRandomNumberGenerator)
    case seeded(SeededGenerator)

    public mutating func next() -> UInt64 {
        switch self {
        case .system(var generator):
            return generator.next()
        case .seeded(var generator):
            defer { self = .seeded(generator) }
            return generator.next()
        }
    }
}
