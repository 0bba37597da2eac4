/// Case-insensitive word lookup in a store.
///
/// The store's words are matched after lower-casing the text's word (GloVe
/// is lower-case); comparison is by Unicode canonical equivalence, so a
/// decomposed `café` in the text finds a precomposed `café` in the store.
public struct Vocabulary: Sendable {
    public let store: EmbeddingStore

    public init(store: EmbeddingStore) {
        self.store = store
    }

    /// The id of the word spelled by `bytes` (valid UTF-8), ignoring case.
    public func id(of bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        if bytes.allSatisfy({ $0 < 0x80 }) {
            // ASCII: lower-case bytewise, the common case.
            let lowered = String(unsafeUninitializedCapacity: bytes.count) { buffer in
                for (index, byte) in bytes.enumerated() {
                    buffer[index] = byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
                }
                return bytes.count
            }
            return store.id(of: lowered)
        }
        return store.id(of: String(decoding: bytes, as: UTF8.self).lowercased())
    }
}
