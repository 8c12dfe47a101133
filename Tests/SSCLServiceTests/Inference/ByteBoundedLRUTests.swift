import Testing
@testable import SSCLService

struct ByteBoundedLRUTests {
    /// The total never exceeds the capacity; the least recently used entry goes first; a
    /// value larger than the capacity is not kept.
    @Test func staysWithinItsBoundAndEvictsTheLeastRecentlyUsed() {
        var lru = ByteBoundedLRU<String, Int>(capacity: 100)
        var inserted = lru.insert(1, bytes: 40, for: "a")
        #expect(inserted)
        inserted = lru.insert(2, bytes: 40, for: "b")
        #expect(inserted)
        let a = lru.value(for: "a")                  // a is now newer than b
        #expect(a == 1)
        inserted = lru.insert(3, bytes: 40, for: "c")  // 120 > 100: b goes
        #expect(inserted)
        let b = lru.value(for: "b"), a2 = lru.value(for: "a"), c = lru.value(for: "c")
        #expect(lru.bytes == 80 && b == nil && a2 == 1 && c == 3)
        inserted = lru.insert(4, bytes: 101, for: "d")
        let d = lru.value(for: "d")
        #expect(!inserted && d == nil && lru.bytes == 80)
        inserted = lru.insert(5, bytes: 100, for: "e")  // everything else goes
        #expect(inserted && lru.count == 1 && lru.bytes == 100)
        lru.insert(6, bytes: 10, for: "e")              // replacing counts the new size only
        #expect(lru.bytes == 10)
        var largest = 0
        for i in 0..<1000 {
            lru.insert(i, bytes: 1 + i % 37, for: "k\(i % 50)")
            largest = max(largest, lru.bytes)
        }
        #expect(largest <= 100 && largest > 60)
    }

    @Test func removeAllMatching() {
        var lru = ByteBoundedLRU<String, Int>(capacity: 100)
        lru.insert(1, bytes: 10, for: "job1/a")
        lru.insert(2, bytes: 10, for: "job2/a")
        lru.removeAll { $0.hasPrefix("job1") }
        #expect(lru.keys == ["job2/a"] && lru.bytes == 10)
    }
}
