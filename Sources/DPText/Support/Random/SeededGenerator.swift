/// A reproducible random number generator: xoshiro256** seeded through
/// SplitMix64 (Blackman & Vigna).
///
/// For reproducible runs and tests only. Privatizing real text uses the
/// system CSPRNG (`SystemRandomStream`) unless the user asks for a
/// seed, because a seeded run's noise is known to anyone who knows the seed.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    /// A generator whose whole stream is determined by `seed`.
    public init(seed: UInt64) {
        var mixer = seed
        func splitMix() -> UInt64 {
            mixer &+= 0x9E37_79B9_7F4A_7C15
            var z = mixer
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    /// A generator for stream `stream` of `seed`: distinct streams of one
    /// seed are independent for practical purposes, so work split into
    /// numbered pieces (lines, records) draws the same numbers however it is
    /// scheduled.
    public init(seed: UInt64, stream: UInt64) {
        var mixed = SeededGenerator(seed: seed ^ 0x5851_F42D_4C95_7F2D)
        self.init(seed: mixed.next() ^ (stream &* 0xD1B5_4A32_D192_ED03))
    }

    /// A generator with this exact state (not all zero: a zero state is
    /// replaced by the state of `init(seed: 0)`).
    init(state: (UInt64, UInt64, UInt64, UInt64)) {
        self = state == (0, 0, 0, 0) ? SeededGenerator(seed: 0) : SeededGenerator(exactly: state)
    }

    private init(exactly state: (UInt64, UInt64, UInt64, UInt64)) {
        self.state = state
    }

    public mutating func next() -> UInt64 {
        let result = rotate(state.1 &* 5, 7) &* 9
        let shifted = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= shifted
        state.3 = rotate(state.3, 45)
        return result
    }

    private func rotate(_ value: UInt64, _ count: UInt64) -> UInt64 {
        (value << count) | (value >> (64 - count))
    }
}
