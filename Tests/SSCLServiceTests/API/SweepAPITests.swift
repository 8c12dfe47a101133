import Foundation
import Testing
@testable import SSCLService

/// Sweeps through the real server on a socket: dry run, validation naming the parameter,
/// a full sweep with its leaderboard and CSV, max_concurrent, and cancel.
@Suite(.serialized) struct SweepAPITests {
    typealias C = HTTPTestClient

    static func sweep(epochs: Int = 1, betas: String = "[0.5, 1]", extra: String = "") -> String {
        """
        {"name": "betas", "base": \(ServiceFixture.tinyJob(epochs: epochs)),
         "parameters": {"loss.beta": {"values": \(betas)}}, "seeds": [0, 1], "max_concurrent": 1\(extra)}
        """
    }

    @Test func dryRunAndValidation() throws {
        let f = try ServiceFixture()
        defer { f.stop() }
        let dry = try C.request("POST", "\(f.base)/v1/sweeps?dry_run=true", body: Self.sweep())
        #expect(dry.status == 200)
        let trials = try #require(dry.json["trials"] as? [[String: Any]])
        #expect(trials.map { $0["configuration"] as? Int } == [0, 0, 1, 1])
        #expect(trials.map { $0["seed"] as? Int } == [0, 1, 0, 1])
        #expect(((trials[3]["job"] as? [String: Any])?["loss"] as? [String: Any])?["beta"] as? Double == 1)
        #expect(try C.request("GET", "\(f.base)/v1/sweeps").json["sweeps"] as? [Any] == nil
                || (try C.request("GET", "\(f.base)/v1/sweeps").json["sweeps"] as? [Any])?.isEmpty == true)

        let bad = try C.request("POST", "\(f.base)/v1/sweeps", body: Self.sweep(betas: "[0.5, -3]"))
        #expect(bad.status == 422)
        let error = try #require(bad.json["error"] as? [String: Any])
        let details = try #require(error["details"] as? [[String: Any]])
        #expect(details.map { $0["path"] as? String } == [#"parameters["loss.beta"].values[1]"#])
        #expect((details.first?["reason"] as? String)?.contains("[0, 100]") == true)
        #expect(try C.request("POST", "\(f.base)/v1/sweeps", body: "{").status == 400)
        // ASHA judges rungs on evaluations during training; the linear probe runs only at the end.
        let asha = try C.request("POST", "\(f.base)/v1/sweeps", body: Self.sweep(
            extra: #", "metric": {"name": "linear_accuracy"}, "early_stopping": {"kind": "asha", "reduction_factor": 3}"#))
        #expect(asha.status == 422 && asha.text.contains("early_stopping") && asha.text.contains("linear_accuracy"), "\(asha.text)")
        #expect(try C.request("GET", "\(f.base)/v1/jobs").json["jobs"] as? [Any] == nil
                || (try C.request("GET", "\(f.base)/v1/jobs").json["jobs"] as? [Any])?.isEmpty == true, "nothing was queued")
        #expect(try C.request("GET", "\(f.base)/v1/sweeps/swp_nope").status == 404)
    }

    @Test func aSweepRunsItsTrialsAndRanksThem() throws {
        let f = try ServiceFixture(maxConcurrentJobs: 2)
        defer { f.stop() }
        let created = try C.request("POST", "\(f.base)/v1/sweeps", body: Self.sweep())
        #expect(created.status == 201)
        let id = try #require(created.json["id"] as? String)
        #expect(created.headers["location"] == "/v1/sweeps/\(id)")
        var sweep: [String: Any] = [:]
        var mostRunning = 0
        let done = try C.waitUntil(120) {
            sweep = try C.request("GET", "\(f.base)/v1/sweeps/\(id)").json
            let counts = ((sweep["progress"] as? [String: Any])?["by_status"] as? [String: Int]) ?? [:]
            mostRunning = max(mostRunning, counts["running"] ?? 0)
            return sweep["status"] as? String != "running"
        }
        #expect(done && sweep["status"] as? String == "finished")
        #expect(mostRunning <= 1, "max_concurrent 1, with 2 worker slots")
        let trials = try #require(sweep["trials"] as? [[String: Any]])
        #expect(trials.count == 4 && trials.allSatisfy { $0["status"] as? String == "succeeded" && $0["metric"] is Double })
        let board = try #require(sweep["leaderboard"] as? [[String: Any]])
        #expect(board.count == 2)
        #expect(board.map { $0["best"] as? Bool } == [true, false])
        #expect(board.allSatisfy { $0["finished_seeds"] as? Int == 2 && $0["mean"] is Double && $0["std"] is Double })
        #expect(board[0]["p_value"] is NSNull && board[1]["p_value"] is Double)
        let means = board.compactMap { $0["mean"] as? Double }
        #expect(means[0] >= means[1])
        let ci = try #require(board[0]["ci95"] as? [Double])
        #expect(ci[0] <= means[0] && means[0] <= ci[1])

        // Trials are ordinary jobs.
        let jobs = try C.request("GET", "\(f.base)/v1/jobs").json["jobs"] as? [[String: Any]] ?? []
        #expect(Set(jobs.compactMap { $0["id"] as? String }) == Set(trials.compactMap { $0["id"] as? String }))
        let tags = jobs.compactMap { $0["sweep"] as? [String: Any] }
        #expect(tags.count == 4 && tags.allSatisfy { $0["id"] as? String == id })
        #expect(tags.compactMap { $0["configuration"] as? Int }.sorted() == [0, 0, 1, 1])

        let csv = try C.request("GET", "\(f.base)/v1/sweeps/\(id)/results.csv")
        #expect(csv.status == 200 && csv.headers["content-type"]?.hasPrefix("text/csv") == true)
        let lines = String(decoding: csv.body, as: UTF8.self).split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        #expect(lines.count == 5)
        let header = lines[0].map(String.init)
        #expect(Array(header.prefix(5)) == ["trial", "configuration", "seed", "status", "loss.beta"])
        let knn = try #require(header.firstIndex(of: "knn_accuracy"))
        #expect(lines.dropFirst().map { String($0[4]) } == ["0.5", "0.5", "1", "1"])
        #expect(lines.dropFirst().allSatisfy { Double($0[knn]) != nil })

        let list = try C.request("GET", "\(f.base)/v1/sweeps").json["sweeps"] as? [[String: Any]] ?? []
        #expect(list.map { $0["id"] as? String } == [id])
        #expect(try C.request("POST", "\(f.base)/v1/sweeps/\(id)/cancel").status == 409)
    }

    @Test func cancelStopsTheUnfinishedTrials() throws {
        let f = try ServiceFixture()
        defer { f.stop() }
        let created = try C.request("POST", "\(f.base)/v1/sweeps", body: Self.sweep(epochs: 50))
        let id = try #require(created.json["id"] as? String)
        let cancelled = try C.request("POST", "\(f.base)/v1/sweeps/\(id)/cancel")
        #expect(cancelled.status == 200 && cancelled.json["status"] as? String == "cancelled")
        #expect(try C.request("POST", "\(f.base)/v1/sweeps/\(id)/cancel").status == 409)
        var trials: [[String: Any]] = []
        let stopped = try C.waitUntil(60) {
            trials = try C.request("GET", "\(f.base)/v1/sweeps/\(id)").json["trials"] as? [[String: Any]] ?? []
            return trials.allSatisfy { $0["status"] as? String == "cancelled" }
        }
        #expect(stopped && trials.count == 4, "\(trials.map { $0["status"] ?? "" })")
        #expect(try C.request("POST", "\(f.base)/v1/sweeps/swp_nope/cancel").status == 404)
    }
}
