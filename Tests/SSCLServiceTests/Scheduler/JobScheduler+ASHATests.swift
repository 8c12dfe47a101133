import Foundation
import Testing
@testable import SSCLService

/// ASHA applied by the real scheduler with real worker processes on fashion-mnist-mini:
/// trials are pruned, every stored decision is what `ASHA.settle` makes of the stored rung
/// results, and a server killed with -9 mid-sweep resumes with the same decisions and runs no
/// trial twice.
@Suite(.serialized) struct JobSchedulerASHATests {
    typealias C = HTTPTestClient

    /// Four learning rates × 2 seeds, ASHA η = 2. Three barely move the encoder from its
    /// initialisation (the same for every configuration of a seed), so their kNN accuracies tie
    /// and differ from the trained one: whichever is better, a configuration is pruned at rung 0
    /// (2 in, keep 1; 3 in, keep 1).
    static func sweep(epochs: Int, maxConcurrent: Int = 2) -> String {
        """
        {"name": "asha", "base": \(ServiceFixture.tinyJob(epochs: epochs, extra: #", "optimizer": {"kind": "sgd"}"#)),
         "parameters": {"optimizer.lr": {"values": [0.00001, 0.5, 0.00002, 0.00003]}}, "seeds": [0, 1],
         "early_stopping": {"kind": "asha", "reduction_factor": 2, "min_epochs": 1},
         "max_concurrent": \(maxConcurrent)}
        """
    }

    /// The stored decisions of a sweep representation, as `ASHA.RungDecision`s.
    static func decisions(_ sweep: [String: Any]) -> [ASHA.RungDecision] {
        let list = (sweep["asha"] as? [String: Any])?["decisions"] as? [[String: Any]] ?? []
        return list.map { d in
            ASHA.RungDecision(configuration: d["configuration"] as? Int ?? -1, rung: d["rung"] as? Int ?? -1,
                              value: d["mean"] as? Double ?? .nan, decision: ASHA.Decision(rawValue: d["decision"] as? String ?? "") ?? .prune)
        }
    }

    /// `ASHA.settle` replayed on the stored rung results (no trial failed in these sweeps).
    static func replay(_ sweep: [String: Any]) -> [ASHA.RungDecision] {
        let results = ((sweep["asha"] as? [String: Any])?["rung_results"] as? [[String: Any]] ?? []).map { r in
            ASHA.TrialRungValue(trial: r["trial"] as? String ?? "", configuration: r["configuration"] as? Int ?? -1,
                                rung: r["rung"] as? Int ?? -1, value: r["value"] as? Double ?? .nan)
        }
        let trials = (sweep["trials"] as? [[String: Any]] ?? []).map {
            ASHA.Trial(id: $0["id"] as? String ?? "", configuration: $0["configuration"] as? Int ?? -1, ended: false)
        }
        return ASHA(spec: ASHASpec(reductionFactor: 2, minEpochs: 1), goal: .maximize).settle(trials: trials, results: results, decided: [])
    }

    static func same(_ a: [ASHA.RungDecision], _ b: [ASHA.RungDecision]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy {
            $0.configuration == $1.configuration && $0.rung == $1.rung && $0.decision == $1.decision && abs($0.value - $1.value) < 1e-9
        }
    }

    @Test func ashaPrunesTrialsThroughTheScheduler() throws {
        let f = try ServiceFixture(maxConcurrentJobs: 2)
        defer { f.stop() }
        let created = try C.request("POST", "\(f.base)/v1/sweeps", body: Self.sweep(epochs: 8))
        #expect(created.status == 201, "\(created.text)")
        let id = try #require(created.json["id"] as? String)
        var sweep: [String: Any] = [:]
        let done = try C.waitUntil(300) {
            sweep = try C.request("GET", "\(f.base)/v1/sweeps/\(id)").json
            return sweep["status"] as? String != "running"
        }
        #expect(done && sweep["status"] as? String == "finished", "\(sweep["progress"] ?? "")")
        let trials = sweep["trials"] as? [[String: Any]] ?? []
        let decisions = Self.decisions(sweep)
        #expect(!decisions.isEmpty)
        #expect(Self.same(decisions, Self.replay(sweep)), "stored \(decisions) vs replayed \(Self.replay(sweep))")
        let prunedConfigurations = Set(decisions.filter { $0.decision == .prune }.map(\.configuration))
        #expect(!prunedConfigurations.isEmpty, "\(decisions) \((sweep["asha"] as? [String: Any])?["rung_results"] ?? "")")
        // A trial of a pruned configuration is pruned, unless it finished before all of its
        // configuration's seeds reached the rung (seeds run at their own pace); trials of the
        // other configurations all finish.
        for trial in trials {
            let c = trial["configuration"] as? Int ?? -1
            let status = trial["status"] as? String ?? ""
            let allowed: Set<String> = prunedConfigurations.contains(c) ? ["pruned", "succeeded"] : ["succeeded"]
            #expect(allowed.contains(status), "\(trial)")
        }
        #expect(trials.contains { $0["status"] as? String == "pruned" })
        // A pruned trial that ran stopped before its last step, keeping its checkpoint and curves.
        var stoppedEarly = 0
        for trial in trials where trial["status"] as? String == "pruned" {
            let tid = trial["id"] as? String ?? ""
            let job = try C.request("GET", "\(f.base)/v1/jobs/\(tid)").json
            #expect(job["status"] as? String == "pruned" && job["finished_at"] is String)
            guard let progress = job["progress"] as? [String: Any] else { continue }
            #expect((progress["step"] as? Int ?? 0) < (progress["steps"] as? Int ?? 0), "\(progress)")
            stoppedEarly += 1
            let folder = f.root.appendingPathComponent("runs").appendingPathComponent(tid)
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("checkpoint.bin").path))
            #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("result.json").path))
            let metrics = try C.request("GET", "\(f.base)/v1/jobs/\(tid)/metrics").text
            #expect(metrics.contains("knn_accuracy"))
        }
        #expect(stoppedEarly > 0, "some pruned trial had been running")
        // The leaderboard ranks configurations that finished first; pruned ones show their rung.
        let board = sweep["leaderboard"] as? [[String: Any]] ?? []
        let isPruned = { (row: [String: Any]) in (row["asha"] as? [String: Any])?["decision"] as? String == "prune" }
        let firstPruned = board.firstIndex(where: isPruned) ?? board.count
        #expect(firstPruned > 0 && firstPruned < board.count, "\(board)")
        #expect(board[firstPruned...].allSatisfy(isPruned), "pruned configurations rank last: \(board)")
        #expect(board[..<firstPruned].allSatisfy { ($0["finished_seeds"] as? Int) == 2 && ($0["pruned_seeds"] as? Int) == 0 })
        #expect(board[firstPruned...].allSatisfy {
            let (p, f) = ($0["pruned_seeds"] as? Int ?? 0, $0["finished_seeds"] as? Int ?? 0)
            return p >= 1 && p + f == 2 && $0["p_value"] is NSNull && $0["best"] as? Bool != true
        }, "\(board)")
        let jobs = try C.request("GET", "\(f.base)/v1/jobs?status=pruned").json["jobs"] as? [[String: Any]] ?? []
        #expect(jobs.count == trials.filter { $0["status"] as? String == "pruned" }.count, "the job list filters by pruned")
    }

    @Test func aKill9MidSweepResumesWithTheSameDecisionsAndNoTrialTwice() throws {
        let root = try TestBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let first = try ServerProcess(root: root, arguments: ["--max-concurrent-jobs", "2"])
        #expect(first.port > 0, "\(first.stderr)")
        let created = try C.request("POST", "\(first.base)/v1/sweeps", body: Self.sweep(epochs: 12))
        #expect(created.status == 201, "\(created.text)")
        let id = try #require(created.json["id"] as? String)
        var before: [String: Any] = [:]
        let midway = try C.waitUntil(300) {
            before = try C.request("GET", "\(first.base)/v1/sweeps/\(id)").json
            let statuses = (before["trials"] as? [[String: Any]] ?? []).compactMap { $0["status"] as? String }
            return Self.decisions(before).count >= 2 && statuses.contains("queued")
        }
        #expect(midway, "\(before["progress"] ?? "")")
        let decidedBefore = Self.decisions(before)
        var finishedBefore: [String: String] = [:]
        for trial in before["trials"] as? [[String: Any]] ?? [] where ["succeeded", "pruned"].contains(trial["status"] as? String) {
            let tid = trial["id"] as? String ?? ""
            finishedBefore[tid] = try C.request("GET", "\(first.base)/v1/jobs/\(tid)").json["finished_at"] as? String ?? ""
        }
        first.kill9()

        let second = try ServerProcess(root: root, arguments: ["--max-concurrent-jobs", "2"])
        defer { second.stop() }
        #expect(second.port > 0, "\(second.stderr)")
        var sweep: [String: Any] = [:]
        let finished = try C.waitUntil(400) {
            sweep = try C.request("GET", "\(second.base)/v1/sweeps/\(id)").json
            return sweep["status"] as? String != "running"
        }
        #expect(finished && sweep["status"] as? String == "finished", "\(sweep["progress"] ?? "")")
        let decisions = Self.decisions(sweep)
        #expect(Self.same(Array(decisions.prefix(decidedBefore.count)), decidedBefore), "decisions made before the kill stand")
        #expect(Self.same(decisions, Self.replay(sweep)), "stored \(decisions) vs replayed \(Self.replay(sweep))")
        let trials = sweep["trials"] as? [[String: Any]] ?? []
        #expect(trials.count == 8)
        let jobs = try C.request("GET", "\(second.base)/v1/jobs?limit=100").json["jobs"] as? [[String: Any]] ?? []
        #expect(jobs.count == 8, "no trial was queued twice")
        let pruned = Set(decisions.filter { $0.decision == .prune }.map(\.configuration))
        for trial in trials {
            let tid = trial["id"] as? String ?? ""
            let job = try C.request("GET", "\(second.base)/v1/jobs/\(tid)").json
            // As in the test above: a pruned configuration's trial may have finished before its
            // configuration was judged.
            let allowed: Set<String> = pruned.contains(trial["configuration"] as? Int ?? -1) ? ["pruned", "succeeded"] : ["succeeded"]
            #expect(allowed.contains(job["status"] as? String ?? ""), "\(tid)")
            if let at = finishedBefore[tid] {
                #expect(job["finished_at"] as? String == at, "\(tid) finished before the kill and did not run again")
            }
            // A trial interrupted by the kill resumed from its checkpoint: at most one more attempt.
            #expect((job["attempt"] as? Int ?? 0) <= 2, "\(tid)")
        }
        // Each trial reported each rung at most once.
        let results = (sweep["asha"] as? [String: Any])?["rung_results"] as? [[String: Any]] ?? []
        let keys = results.map { "\($0["trial"] ?? "")/\($0["rung"] ?? "")" }
        #expect(Set(keys).count == keys.count)
    }
}
