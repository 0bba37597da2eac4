import Synchronization

/// The last value computed and the key it was computed for, shared by all
/// threads: a one-entry cache for work that repeats with the same input (the
/// out-of-vocabulary stand-in is one fixed vector).
final class LastComputed<Key: Equatable & Sendable, Value: Sendable>: Sendable {
    private let last = Mutex<(key: Key, value: Value)?>(nil)

    init() {}

    /// The value for `key`, computed by `compute` unless it was the last key.
    func value(for key: Key, compute: () -> Value) -> Value {
        if let found = last.withLock({ $0?.key == key ? $0?.value : nil }) { return found }
        let computed = compute()  // outside the lock: other threads keep going
        last.withLock { $0 = (key, computed) }
        return computed
    }
}
