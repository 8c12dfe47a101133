import Foundation
import Testing

/// `sscl store-bench` on a real SQLite store: every queued job is claimed once, every point is
/// written, and the report says so.
@Suite struct StoreBenchCommandTests {
    struct Report: Decodable {
        var jobs: Int
        var claimers: Int
        var points: Int
        var claims_per_second: Double
        var points_per_second: Double
    }

    @Test func claimsEveryJobAndWritesEveryPoint() throws {
        let dir = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = "sqlite:" + dir.appendingPathComponent("bench.db").path
        let out = try CommandRunner.run(["store-bench", "--store", store, "--jobs", "30", "--claimers", "3",
                                         "--writers", "2", "--batches", "3", "--points", "7"])
        #expect(out.status == 0, "\(out.stderr)")
        let report = try JSONDecoder().decode(Report.self, from: Data(out.stdout.utf8))
        #expect(report.jobs == 30 && report.claimers == 3 && report.points == 2 * 3 * 7)
        #expect(report.claims_per_second > 0 && report.points_per_second > 0)
    }

    @Test func refusesABadStoreAndMoreWritersThanJobs() throws {
        let badStore = try CommandRunner.run(["store-bench", "--store", "mysql://x/y"])
        #expect(badStore.status != 0 && badStore.stderr.contains("unknown scheme"), "\(badStore.stderr)")
        let writers = try CommandRunner.run(["store-bench", "--store", "sqlite:/tmp/x.db", "--jobs", "2", "--writers", "3"])
        #expect(writers.status != 0 && writers.stderr.contains("--writers must be <= --jobs"), "\(writers.stderr)")
    }
}
