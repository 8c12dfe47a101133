import Foundation
import Testing
@testable import SSCLService

/// The job list's sweep filter through the real server: `GET /v1/jobs?sweep=ID` lists exactly
/// that sweep's trials (paged, and with the status filter), an id of no sweep is a 404 and a
/// value that is no sweep id a 400 naming `sweep`.
@Suite(.serialized) struct APIRouterJobsTests {
    typealias C = HTTPTestClient

    static func sweep(betas: String) -> String {
        // Long trials: the test cancels them, so nothing trains for long.
        """
        {"name": "filter", "base": \(ServiceFixture.tinyJob(epochs: 200)),
         "parameters": {"loss.beta": {"values": \(betas)}}, "seeds": [0, 1], "max_concurrent": 1}
        """
    }

    static func ids(_ response: HTTPTestClient.Response) -> [String] {
        (response.json["jobs"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
    }

    @Test func listsOnlyTheSweepsTrials() throws {
        let f = try ServiceFixture()
        defer { f.stop() }
        let lone = try #require(try C.request("POST", "\(f.base)/v1/jobs", body: ServiceFixture.tinyJob(name: "lone", epochs: 200))
            .json["id"] as? String)
        let a = try #require(try C.request("POST", "\(f.base)/v1/sweeps", body: Self.sweep(betas: "[0.5, 1]")).json["id"] as? String)
        let b = try #require(try C.request("POST", "\(f.base)/v1/sweeps", body: Self.sweep(betas: "[2]")).json["id"] as? String)
        // Stop everything at once: the filter is about the listing, not training.
        #expect(try C.request("POST", "\(f.base)/v1/sweeps/\(a)/cancel").status == 200)
        #expect(try C.request("POST", "\(f.base)/v1/sweeps/\(b)/cancel").status == 200)
        #expect([200, 202].contains(try C.request("POST", "\(f.base)/v1/jobs/\(lone)/cancel").status))

        func trialIDs(_ sweep: String) throws -> [String] {
            (try C.request("GET", "\(f.base)/v1/sweeps/\(sweep)").json["trials"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        }
        let trialsA = try trialIDs(a)
        let trialsB = try trialIDs(b)
        #expect(trialsA.count == 4 && trialsB.count == 2)

        let listA = try C.request("GET", "\(f.base)/v1/jobs?sweep=\(a)")
        #expect(listA.status == 200)
        #expect(Self.ids(listA) == trialsA.reversed(), "newest first, only sweep \(a)'s trials")
        let tags = (listA.json["jobs"] as? [[String: Any]] ?? []).compactMap { ($0["sweep"] as? [String: Any])?["id"] as? String }
        #expect(tags == Array(repeating: a, count: 4), "each row names its sweep")
        #expect(Self.ids(try C.request("GET", "\(f.base)/v1/jobs?sweep=\(b)")) == trialsB.reversed())
        let all = Set(Self.ids(try C.request("GET", "\(f.base)/v1/jobs")))
        #expect(all == Set(trialsA + trialsB + [lone]), "without the filter: every job")

        // Paging stays inside the sweep.
        let first = try C.request("GET", "\(f.base)/v1/jobs?sweep=\(a)&limit=3")
        let cursor = try #require(first.json["next_cursor"] as? String)
        let second = try C.request("GET", "\(f.base)/v1/jobs?sweep=\(a)&limit=3&cursor=\(cursor)")
        #expect(Self.ids(first) + Self.ids(second) == trialsA.reversed())
        #expect(second.json["next_cursor"] is NSNull)

        // With a status: both hold. Every trial ends cancelled once the running one has stopped.
        #expect(try C.waitUntil(60) { Self.ids(try C.request("GET", "\(f.base)/v1/jobs?sweep=\(a)&status=cancelled")).count == 4 })
        #expect(Self.ids(try C.request("GET", "\(f.base)/v1/jobs?sweep=\(a)&status=succeeded")).isEmpty)
    }

    @Test func anUnknownSweepIs404AndAMalformedOne400() throws {
        let f = try ServiceFixture()
        defer { f.stop() }
        let unknown = try C.request("GET", "\(f.base)/v1/jobs?sweep=swp_0000000000000")
        #expect(unknown.status == 404)
        let notFound = try #require(unknown.json["error"] as? [String: Any])
        #expect(notFound["code"] as? String == "not_found")
        #expect((notFound["message"] as? String)?.contains("swp_0000000000000") == true)

        for bad in ["nope", "job_0000000000000", "swp_000", "swp_000000000000u", ""] {
            let response = try C.request("GET", "\(f.base)/v1/jobs?sweep=\(bad)")
            #expect(response.status == 400, "sweep=\(bad)")
            let details = (response.json["error"] as? [String: Any])?["details"] as? [[String: Any]] ?? []
            #expect(details.map { $0["path"] as? String } == ["sweep"], "sweep=\(bad): \(response.text)")
        }
    }
}
