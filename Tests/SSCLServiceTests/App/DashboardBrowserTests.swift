import Foundation
import Testing
@testable import SSCLService

/// The dashboard in a real headless Chromium against the real server with a finished job.
@Suite(.serialized) struct DashboardBrowserTests {
    static let chromium = BrowserScript.chromium

    @Test(.enabled(if: chromium != nil, "needs Debian's chromium"))
    func jobPageAndListRenderAFinishedJob() throws {
        let f = try ServiceFixture()
        defer { f.stop() }
        let id = try #require(try HTTPTestClient.request("POST", "\(f.base)/v1/jobs", body: ServiceFixture.tinyJob(name: "browser-test")).json["id"] as? String)
        let finished = try HTTPTestClient.waitUntil(90) {
            try HTTPTestClient.request("GET", "\(f.base)/v1/jobs/\(id)").json["status"] as? String == "succeeded"
        }
        #expect(finished)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [ServiceFixture.repository.appendingPathComponent("Tests/browser/dashboard_test.sh").path, f.base, id]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text)")
        #expect(text.contains("0 failed"))
        #expect(text.contains("loss chart draws a path"))
    }

    /// The live job page against the real `sscl serve` process while jobs train: queued →
    /// running → succeeded without a reload, growing charts, the stream continued after the
    /// REST snapshot, no request to /events for 30 s after the finish, no duplicate points.
    @Test(.enabled(if: chromium != nil, "needs Debian's chromium"))
    func jobPageFollowsAQueuedJobToItsEndAgainstTheRealServer() throws {
        let run = try BrowserScript.run("live_job_test.py")
        #expect(run.passed, "\(run.output)")
        #expect(run.output.contains("ok   - then running, then succeeded"), "\(run.output)")
    }
}
