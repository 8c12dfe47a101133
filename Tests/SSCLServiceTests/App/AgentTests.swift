import Foundation
import Testing

/// `sscl serve --max-concurrent-jobs 0` serves without running jobs, and `sscl agent` runs them
/// without serving, here on one SQLite store (one node at a time: the instance locks).
@Suite(.serialized) struct AgentTests {
    typealias C = HTTPTestClient

    @Test func anAPIOnlyServerQueuesAndAnAgentRunsOnTheSameStore() throws {
        let root = try TestBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let store = "sqlite:" + root.appendingPathComponent("db.sqlite").path
        let runs = root.appendingPathComponent("runs")

        let api = try ServerProcess(root: root, store: store, runs: runs, arguments: ["--max-concurrent-jobs", "0"])
        #expect(api.port > 0, "\(api.stderr)")
        let id = try #require(try C.request("POST", "\(api.base)/v1/jobs", body: ServiceFixture.tinyJob(epochs: 3)).json["id"] as? String)
        Thread.sleep(forTimeInterval: 1.5)
        #expect(try C.request("GET", "\(api.base)/v1/jobs/\(id)").json["status"] as? String == "queued", "no slot on an API-only server")
        #expect(api.children.isEmpty)
        // While it runs, an agent on the same SQLite store is refused (one node per database).
        let refused = try AgentProcess(store: store, runs: runs, data: root.appendingPathComponent("data"))
        #expect(!refused.started && refused.process.isRunning == false && refused.stderr.contains("pid \(api.pid)"), "\(refused.stderr)")
        api.stop()

        let agent = try AgentProcess(store: store, runs: runs, data: root.appendingPathComponent("data"))
        #expect(agent.started, "\(agent.stderr)")
        let reopened = { try ServerProcess(root: root, store: store, runs: runs) }
        // The agent holds the store: wait for the job's result file, then stop the agent.
        #expect(C.waitUntil(120) { FileManager.default.fileExists(atPath: runs.appendingPathComponent("\(id)/result.json").path) })
        #expect(C.waitUntil(30) { agent.children.isEmpty })
        agent.stop()
        #expect(agent.process.terminationStatus == 0, "\(agent.stderr)")

        let server = try reopened()
        defer { server.stop() }
        let job = try C.request("GET", "\(server.base)/v1/jobs/\(id)").json
        #expect(job["status"] as? String == "succeeded" && job["attempt"] as? Int == 1, "\(job)")
        let steps = (try C.request("GET", "\(server.base)/v1/jobs/\(id)/metrics?name=loss").json["metrics"] as? [[String: Any]])?
            .first?["points"] as? [[String: Any]] ?? []
        #expect(steps.count == 12, "every step recorded by the agent")
    }
}
