/// A least-recently-used cache bounded by the bytes of what it holds, not by a count: the
/// entries (datasets, models, train embeddings) differ in size by orders of magnitude.
/// Not synchronised: `InferenceCache` keeps it behind a mutex.
struct ByteBoundedLRU<Key: Hashable, Value> {
    let capacity: Int
    private var entries: [Key: (value: Value, bytes: Int, used: UInt64)] = [:]
    private var clock: UInt64 = 0
    private(set) var bytes = 0

    init(capacity: Int) {
        self.capacity = capacity
    }

    var count: Int { entries.count }
    var keys: [Key] { Array(entries.keys) }

    /// The value, marked as just used.
    mutating func value(for key: Key) -> Value? {
        guard var entry = entries[key] else { return nil }
        clock += 1
        entry.used = clock
        entries[key] = entry
        return entry.value
    }

    /// Stores `value`, evicting the least recently used entries until the total fits. A value
    /// larger than the whole capacity is not stored (returns false): the caller still has it.
    @discardableResult
    mutating func insert(_ value: Value, bytes size: Int, for key: Key) -> Bool {
        remove(key)
        guard size <= capacity else { return false }
        while bytes + size > capacity, let oldest = entries.min(by: { $0.value.used < $1.value.used })?.key {
            remove(oldest)
        }
        clock += 1
        entries[key] = (value, size, clock)
        bytes += size
        return true
    }

    mutating func remove(_ key: Key) {
        if let old = entries.removeValue(forKey: key) { bytes -= old.bytes }
    }

    mutating func removeAll(where predicate: (Key) -> Bool) {
        for key in entries.keys where predicate(key) { remove(key) }
    }
}
