import Foundation
import Testing
@testable import SSCLEngine

@Suite struct EvaluationCacheTests {
    static func temporaryCache() throws -> EvaluationCache {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sscl-cache-\(UUID().uuidString)")
        return EvaluationCache(directory: dir)
    }

    @Test func computesOnceThenReadsTheStoredValue() throws {
        let cache = try Self.temporaryCache()
        defer { try? FileManager.default.removeItem(at: cache.directory) }
        var calls = 0
        let first = cache.value(for: "abc", what: "test") { calls += 1; return 0.8125 }
        let second = cache.value(for: "abc", what: "test") { calls += 1; return 0.5 }
        #expect(first.value == 0.8125 && !first.hit)
        #expect(second.value == 0.8125 && second.hit)
        #expect(calls == 1)
        let other = cache.value(for: "abd", what: "test") { calls += 1; return 0.25 }
        #expect(other.value == 0.25 && !other.hit && calls == 2)
    }

    @Test func aDamagedEntryIsRecomputed() throws {
        let cache = try Self.temporaryCache()
        defer { try? FileManager.default.removeItem(at: cache.directory) }
        cache.store(0.75, for: "k1", what: "test")
        try Data("{not json".utf8).write(to: cache.directory.appendingPathComponent("k1.json"))
        let again = cache.value(for: "k1", what: "test") { 0.5 }
        #expect(again.value == 0.5 && !again.hit)
    }

    @Test func anUnwritableFolderOnlyCostsTheComputation() {
        let cache = EvaluationCache(directory: URL(fileURLWithPath: "/proc/sscl-no-such-folder"))
        let result = cache.value(for: "k", what: "test") { 0.5 }
        #expect(result.value == 0.5 && !result.hit)
        #expect(cache.value(for: "k") == nil)
    }

    @Test func theFolderComesFromTheEnvironment() {
        #expect(EvaluationCache.fromEnvironment(["SSCL_CACHE_DIR": "/x"])?.directory.path == "/x/evaluation")
        #expect(EvaluationCache.fromEnvironment(["SSCL_CACHE_DIR": "off", "HOME": "/h"]) == nil)
        #expect(EvaluationCache.fromEnvironment(["XDG_CACHE_HOME": "/c", "HOME": "/h"])?.directory.path == "/c/sscl/evaluation")
        #expect(EvaluationCache.fromEnvironment(["HOME": "/h"])?.directory.path == "/h/.cache/sscl/evaluation")
        #expect(EvaluationCache.fromEnvironment([:]) == nil)
    }
}
