import COpenSSL

/// Random 64-bit words from the system's cryptographic generator, read in
/// large buffers: the noise of every unseeded run.
///
/// The words come from OpenSSL's `RAND_bytes` — a vetted userspace CSPRNG
/// (NIST SP 800-90A CTR-DRBG with AES-256, one instance per thread, seeded
/// and reseeded from the kernel's getrandom) — 64 KiB at a time. Reading the
/// kernel directly would cost one system call per draw (Swift's
/// `SystemRandomNumberGenerator`), and even buffered the kernel delivers
/// about 100 MB/s here, less than the fastest mechanisms consume; the DRBG
/// delivers about 1.5 GB/s.
///
/// A stream belongs to one thread (it is a class so that every record a
/// thread privatizes draws from the same buffer), and every word is handed
/// out once: nothing is shared or reused. A failure of the generator stops
/// the process: there is no safe fallback for privacy noise.
public final class SystemRandomStream {
    /// Words fetched per refill (64 KiB).
    static let bufferWords = 8192

    /// The buffer and the index of its next unused word: read through these
    /// pointers (`NoiseGenerator` keeps them), drawing costs no reference counting.
    let words = UnsafeMutablePointer<UInt64>.allocate(capacity: SystemRandomStream.bufferWords)
    let position = UnsafeMutablePointer<Int>.allocate(capacity: 1)

    public init() {
        position.initialize(to: Self.bufferWords)
    }

    deinit {
        // Drawn words are noise: do not leave them in freed memory.
        words.update(repeating: 0, count: Self.bufferWords)
        words.deallocate()
        position.deallocate()
    }

    /// The next random word.
    @inline(__always)
    public func nextWord() -> UInt64 { Self.nextWord(words: words, position: position) }

    @inline(__always)
    static func nextWord(words: UnsafeMutablePointer<UInt64>, position: UnsafeMutablePointer<Int>) -> UInt64 {
        if position.pointee == bufferWords { refill(words, position) }
        let word = words[position.pointee]
        position.pointee += 1
        return word
    }

    @inline(never)
    private static func refill(_ words: UnsafeMutablePointer<UInt64>, _ position: UnsafeMutablePointer<Int>) {
        let status = RAND_bytes(UnsafeMutableRawPointer(words).assumingMemoryBound(to: UInt8.self), Int32(bufferWords * 8))
        precondition(status == 1, "the system CSPRNG (OpenSSL RAND_bytes) failed (error \(ERR_get_error())); "
                     + "no noise can be drawn")
        position.pointee = 0
    }
}
