import Testing
@testable import SSCLService

struct ByteBoundedLRUTests {
    /// The total never exceeds the capacity; the least recently used entry goes first; a
    /// value larger than the capacity is not kept.
    @Test func staysWithinItsBoundAndEvictsTheLeastRecentlyUsed() {
        var lru = ByteBoundedLRU<String, Int>(capacity: 100)
        #expect(lru.insert(1, bytes: 40, for: "a"))
        #expect(lru.insert(2, bytes: 40, for: "b"))
        #expect(lru.value(for: "a") == 1)          // a is now newer than b
        #expect(lru.insert(3, bytes: 40, for: "c"))  // 120 > 100: b goes
        #expect(lru.bytes == 80 && lru.value(for: "b") == nil)
        #expect(lru.value(for: "a") == 1 && lru.value(for: "c") == 3)
        #expect(!lru.insert(4, bytes: 101, for: "d"))
        #expect(lru.value(for: "d") == nil && lru.bytes == 80)
        #expect(lru.insert(5, bytes: 100, for: "e"))  // everything else goes
        #expect(lru.count == 1 && lru.bytes == 100)
        lru.insert(6, bytes: 10, for: "e")           // replacing counts the new size only
        #expect(lru.bytes == 10)
        for i in 0..<1000 {
            lru.insert(i, bytes: 1 + i % 37, for: "k\(i % 50)")
            #expect(lru.bytes <= 100)
        }
    }

    @Test func removeAllMatching() {
        var lru = ByteBoundedLRU<String, Int>(capacity: 100)
        lru.insert(1, bytes: 10, for: "job1/a")
        lru.insert(2, bytes: 10, for: "job2/a")
        lru.removeAll { $0.hasPrefix("job1") }
        #expect(lru.keys == ["job2/a"] && lru.bytes == 10)
    }
}
