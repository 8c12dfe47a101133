import Foundation
import Testing
@testable import SSCLService

/// One server per database and per runs folder: a second `sscl serve` on either would
/// "recover" the first one's running job and train it in the same folder at the same time.
@Suite(.serialized) struct SecondServerTests {
    typealias C = HTTPTestClient

    @Test func aSecondServerOnTheSameDatabaseOrRunsFolderIsRefusedUntilTheFirstDies() throws {
        let root = try TestBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let first = try ServerProcess(root: root)
        defer { first.stop() }
        #expect(first.port > 0, "\(first.stderr)")
        let id = try #require(try C.request("POST", "\(first.base)/v1/jobs", body: ServiceFixture.tinyJob(epochs: 20_000)).json["id"] as? String)
        try C.waitUntil(60) { try C.request("GET", "\(first.base)/v1/jobs/\(id)").json["status"] as? String == "running" }

        let sameDB = try ServerProcess(root: root, runs: root.appendingPathComponent("other-runs"))
        defer { sameDB.stop() }
        #expect(sameDB.exitStatus(within: 30) == 1)
        #expect(sameDB.port == 0)
        #expect(sameDB.stderr.contains("another sscl server (pid \(first.pid)) is already using the database"), "\(sameDB.stderr)")
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("other-runs/\(id)").path),
                "the refused server ran nothing")

        let sameRuns = try ServerProcess(root: root, db: root.appendingPathComponent("other.sqlite"))
        defer { sameRuns.stop() }
        #expect(sameRuns.exitStatus(within: 30) == 1)
        #expect(sameRuns.stderr.contains("another sscl server (pid \(first.pid)) is already using the runs folder"), "\(sameRuns.stderr)")

        // The first server is untouched: its job still runs in its only attempt.
        let job = try C.request("GET", "\(first.base)/v1/jobs/\(id)").json
        #expect(job["status"] as? String == "running" && job["attempt"] as? Int == 1, "\(job)")

        // The kernel releases the locks of a killed server.
        first.kill9()
        let next = try ServerProcess(root: root)
        defer { next.stop() }
        #expect(next.port > 0, "\(next.stderr)")
        #expect(try C.request("GET", "\(next.base)/v1/jobs/\(id)").status == 200)
    }
}
