import Foundation
import Testing
@testable import SSCLService

/// The sweep document's wire format, read back with `JSONSerialization`: nil values where the
/// key is always there are `null` (an unfinished sweep's `finished_at`, a row's statistics
/// before a seed finishes, ASHA's epoch, a trial's metric), the details are left out of the
/// list form, and a non-finite number is `null`.
@Suite struct SweepDocumentTests {
    static func json(_ document: some Encodable) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: JSONBody.data(document)) as? [String: Any])
    }

    static let head = SweepDocument(
        id: "swp_0123456789abc", name: "s", status: "running", createdAt: "2026-01-01T00:00:00Z", finishedAt: nil,
        maxConcurrent: 2, metric: .init(name: "knn_accuracy", goal: "maximize"),
        progress: .init(trials: 2, finished: 1, byStatus: ["queued": 0, "running": 1, "succeeded": 1]),
        links: .init(self: "/v1/sweeps/swp_0123456789abc", results: "/v1/sweeps/swp_0123456789abc/results.csv"))

    @Test func theListFormHasTheHeadWithNullsAndNoDetails() throws {
        let o = try Self.json(Self.head)
        #expect(Set(o.keys) == ["id", "name", "status", "created_at", "finished_at", "max_concurrent", "metric", "progress", "links"])
        #expect(o["finished_at"] is NSNull && o["max_concurrent"] as? Int == 2)
        #expect(o["metric"] as? [String: String] == ["name": "knn_accuracy", "goal": "maximize"])
        let progress = try #require(o["progress"] as? [String: Any])
        #expect(progress["trials"] as? Int == 2 && progress["finished"] as? Int == 1)
        #expect(progress["by_status"] as? [String: Int] == ["queued": 0, "running": 1, "succeeded": 1])
        #expect(o["links"] as? [String: String] == ["self": "/v1/sweeps/swp_0123456789abc",
                                                    "results": "/v1/sweeps/swp_0123456789abc/results.csv"])
    }

    @Test func detailsCarryNullsForWhatIsUnknown() throws {
        var d = Self.head
        d.sweep = .object([.init("name", .string("s"))])
        d.leaderboard = [
            .init(configuration: 0, parameters: .object([.init("lr", .number("0.1"))]), finishedSeeds: 0, prunedSeeds: 1,
                  best: false, indistinguishableFromBest: false, mean: nil, std: nil, ci95: nil, pValue: nil,
                  asha: .init(rung: 0, epoch: nil, mean: SweepDocument.finite(.infinity), decision: "prune")),
            .init(configuration: 1, parameters: .object([]), finishedSeeds: 2, prunedSeeds: 0, best: true,
                  indistinguishableFromBest: true, mean: 0.5, std: 0.1, ci95: [0.4, 0.6], pValue: nil, asha: nil),
        ]
        d.asha = .init(reductionFactor: 3, minEpochs: 1,
                       decisions: [.init(sequence: 1, configuration: 0, rung: 0, epoch: nil, mean: nil, decision: "prune")],
                       rungResults: [.init(sequence: 1, trial: "job_1", configuration: 0, rung: 0, epoch: 1, value: nil)])
        d.trials = [.init(id: "job_1", configuration: 0, seed: .number("18446744073709551615"), status: "pruned", metric: nil)]
        let o = try Self.json(d)
        #expect(Set(o.keys).isSuperset(of: ["sweep", "leaderboard", "asha", "trials"]))
        let rows = try #require(o["leaderboard"] as? [[String: Any]])
        let rowKeys: Set = ["configuration", "parameters", "finished_seeds", "pruned_seeds", "best", "indistinguishable_from_best",
                            "mean", "std", "ci95", "p_value", "asha"]
        #expect(rows.allSatisfy { Set($0.keys) == rowKeys })
        for key in ["mean", "std", "ci95", "p_value"] { #expect(rows[0][key] is NSNull, "\(key) is null") }
        #expect(rows[1]["asha"] is NSNull && rows[1]["ci95"] as? [Double] == [0.4, 0.6] && rows[1]["best"] as? Bool == true)
        let standing = try #require(rows[0]["asha"] as? [String: Any])
        #expect(standing["epoch"] is NSNull && standing["mean"] is NSNull && standing["rung"] as? Int == 0)
        let asha = try #require(o["asha"] as? [String: Any])
        #expect(asha["reduction_factor"] as? Int == 3 && asha["min_epochs"] as? Int == 1)
        let decision = try #require((asha["decisions"] as? [[String: Any]])?.first)
        #expect(Set(decision.keys) == ["sequence", "configuration", "rung", "epoch", "mean", "decision"] && decision["epoch"] is NSNull)
        let result = try #require((asha["rung_results"] as? [[String: Any]])?.first)
        #expect(Set(result.keys) == ["sequence", "trial", "configuration", "rung", "epoch", "value"] && result["value"] is NSNull)
        let trial = try #require((o["trials"] as? [[String: Any]])?.first)
        #expect(Set(trial.keys) == ["id", "configuration", "seed", "status", "metric"] && trial["metric"] is NSNull)
        let text = String(decoding: try JSONBody.data(d), as: UTF8.self)
        #expect(text.contains(#""seed":18446744073709551615"#) && text.contains(#""parameters":{"lr":0.1}"#))
    }
}
