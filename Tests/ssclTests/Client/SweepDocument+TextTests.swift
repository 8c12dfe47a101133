import Foundation
import Testing
@testable import sscl

/// The sweep's text on documents `sscl serve` really answered (`sscl status swp_… --json`,
/// captured from the two sweeps below): expectations come from the JSON's own values, read
/// independently with JSONSerialization, plus the markers a user reads.
@Suite struct SweepDocumentTextTests {
    /// 3 betas × 3 seeds of the tiny job, 2 epochs, no early stopping (all three indistinguishable).
    static let plain = #"""
{"created_at":"2026-12-02T17:23:59.686Z","finished_at":"2026-12-02T17:24:03.772Z","id":"swp_1m8vwhpj696d4","leaderboard":[{"asha":null,"best":true,"ci95":[0.4389280961662366,0.7210719038337635],"configuration":2,"finished_seeds":3,"indistinguishable_from_best":true,"mean":0.5800000000000001,"p_value":null,"parameters":{"loss.beta":4},"pruned_seeds":0,"std":0.05678908345800272},{"asha":null,"best":false,"ci95":[0.41398264462737194,0.6526840220392947],"configuration":1,"finished_seeds":3,"indistinguishable_from_best":true,"mean":0.5333333333333333,"p_value":0.3398591210930769,"parameters":{"loss.beta":1},"pruned_seeds":0,"std":0.04804511768466523},{"asha":null,"best":false,"ci95":[0.3948510297002765,0.6684823036330567],"configuration":0,"finished_seeds":3,"indistinguishable_from_best":true,"mean":0.5316666666666666,"p_value":0.3496772125181168,"parameters":{"loss.beta":0.5},"pruned_seeds":0,"std":0.05507570547286102}],"links":{"results":"/v1/sweeps/swp_1m8vwhpj696d4/results.csv","self":"/v1/sweeps/swp_1m8vwhpj696d4"},"max_concurrent":1,"metric":{"goal":"maximize","name":"knn_accuracy"},"name":"betas","progress":{"by_status":{"cancelled":0,"failed":0,"pruned":0,"queued":0,"running":0,"succeeded":9},"finished":9,"trials":9},"status":"finished","sweep":{"name": "betas", "base": {"name": "tiny", "dataset": {"name": "fashion-mnist-mini", "train_limit": 128},
 "model": {"hidden": [32], "projection": [16, 8]}, "loss": {"kind": "sscl", "hard_pool": 8, "synthetic": 4},
 "epochs": 2, "batch_size": 32, "eval": {"knn_k": 10, "linear_probe": false}},
 "parameters": {"loss.beta": {"values": [0.5, 1, 4]}}, "seeds": [0, 1, 2], "max_concurrent": 1}
,"trials":[{"configuration":0,"id":"job_1m8vwhpj67kw2","metric":0.535,"seed":0,"status":"succeeded"},{"configuration":0,"id":"job_1m8vwhpj67kw3","metric":0.475,"seed":1,"status":"succeeded"},{"configuration":0,"id":"job_1m8vwhpj6cc6p","metric":0.585,"seed":2,"status":"succeeded"},{"configuration":1,"id":"job_1m8vwhpj6ygmd","metric":0.525,"seed":0,"status":"succeeded"},{"configuration":1,"id":"job_1m8vwhpj6ygme","metric":0.49,"seed":1,"status":"succeeded"},{"configuration":1,"id":"job_1m8vwhpj6ygmf","metric":0.585,"seed":2,"status":"succeeded"},{"configuration":2,"id":"job_1m8vwhpj6ygmg","metric":0.605,"seed":0,"status":"succeeded"},{"configuration":2,"id":"job_1m8vwhpj6ygmh","metric":0.515,"seed":1,"status":"succeeded"},{"configuration":2,"id":"job_1m8vwhpj6ygmj","metric":0.62,"seed":2,"status":"succeeded"}]}
"""#

    /// 3 betas × 2 seeds, 3 epochs, ASHA (η 3, min_epochs 1): two configurations pruned at rung 0.
    static let asha = #"""
{"asha":{"decisions":[{"configuration":0,"decision":"promote","epoch":1,"mean":0.5225,"rung":0,"sequence":0},{"configuration":1,"decision":"prune","epoch":1,"mean":0.5075000000000001,"rung":0,"sequence":1},{"configuration":2,"decision":"prune","epoch":1,"mean":0.5075000000000001,"rung":0,"sequence":2}],"min_epochs":1,"reduction_factor":3,"rung_results":[{"configuration":0,"epoch":1,"rung":0,"sequence":0,"trial":"job_1m8vwhevcjpag","value":0.54},{"configuration":0,"epoch":1,"rung":0,"sequence":1,"trial":"job_1m8vwhevczrnw","value":0.505},{"configuration":1,"epoch":1,"rung":0,"sequence":2,"trial":"job_1m8vwhevczrnx","value":0.525},{"configuration":1,"epoch":1,"rung":0,"sequence":3,"trial":"job_1m8vwhevczrny","value":0.49},{"configuration":2,"epoch":1,"rung":0,"sequence":4,"trial":"job_1m8vwhevczrnz","value":0.515},{"configuration":2,"epoch":1,"rung":0,"sequence":5,"trial":"job_1m8vwhevczrp0","value":0.5}]},"created_at":"2026-12-02T17:23:51.788Z","finished_at":"2026-12-02T17:23:55.863Z","id":"swp_1m8vwhevc9avh","leaderboard":[{"asha":{"decision":"promote","epoch":1,"mean":0.5225,"rung":0},"best":true,"ci95":[0.08028283423400667,0.9697171657659933],"configuration":0,"finished_seeds":2,"indistinguishable_from_best":true,"mean":0.525,"p_value":null,"parameters":{"loss.beta":0.5,"optimizer.lr":0.05},"pruned_seeds":0,"std":0.049497474683058366},{"asha":{"decision":"prune","epoch":1,"mean":0.5075000000000001,"rung":0},"best":false,"ci95":null,"configuration":1,"finished_seeds":1,"indistinguishable_from_best":false,"mean":0.565,"p_value":null,"parameters":{"loss.beta":1,"optimizer.lr":0.05},"pruned_seeds":1,"std":null},{"asha":{"decision":"prune","epoch":1,"mean":0.5075000000000001,"rung":0},"best":false,"ci95":null,"configuration":2,"finished_seeds":1,"indistinguishable_from_best":false,"mean":0.565,"p_value":null,"parameters":{"loss.beta":2,"optimizer.lr":0.05},"pruned_seeds":1,"std":null}],"links":{"results":"/v1/sweeps/swp_1m8vwhevc9avh/results.csv","self":"/v1/sweeps/swp_1m8vwhevc9avh"},"max_concurrent":1,"metric":{"goal":"maximize","name":"knn_accuracy"},"name":"betas-asha","progress":{"by_status":{"cancelled":0,"failed":0,"pruned":2,"queued":0,"running":0,"succeeded":4},"finished":6,"trials":6},"status":"finished","sweep":{"name": "betas-asha", "base": {"name": "tiny", "dataset": {"name": "fashion-mnist-mini", "train_limit": 128},
 "model": {"hidden": [32], "projection": [16, 8]}, "loss": {"kind": "sscl", "hard_pool": 8, "synthetic": 4},
 "epochs": 3, "batch_size": 32, "eval": {"knn_k": 10, "linear_probe": false}},
 "parameters": {"loss.beta": {"values": [0.5, 1, 2]}, "optimizer.lr": {"values": [0.05]}}, "seeds": [0, 1], "max_concurrent": 1,
 "early_stopping": {"kind": "asha", "reduction_factor": 3, "min_epochs": 1}}
,"trials":[{"configuration":0,"id":"job_1m8vwhevcjpag","metric":0.56,"seed":0,"status":"succeeded"},{"configuration":0,"id":"job_1m8vwhevczrnw","metric":0.49,"seed":1,"status":"succeeded"},{"configuration":1,"id":"job_1m8vwhevczrnx","metric":0.565,"seed":0,"status":"succeeded"},{"configuration":1,"id":"job_1m8vwhevczrny","metric":null,"seed":1,"status":"pruned"},{"configuration":2,"id":"job_1m8vwhevczrnz","metric":0.565,"seed":0,"status":"succeeded"},{"configuration":2,"id":"job_1m8vwhevczrp0","metric":null,"seed":1,"status":"pruned"}]}
"""#

    static func decode(_ text: String) throws -> SweepDocument {
        try JSONDecoder().decode(SweepDocument.self, from: Data(text.utf8))
    }

    /// The leaderboard as JSONSerialization reads it, independently of `SweepDocument`.
    static func rows(_ text: String) throws -> [[String: Any]] {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        return try #require(object["leaderboard"] as? [[String: Any]])
    }

    @Test func theTableHasOneAlignedRowPerConfigurationWithTheServersNumbers() throws {
        for fixture in [Self.plain, Self.asha] {
            let json = try Self.rows(fixture)
            let text = SweepDocument.table(try #require(try Self.decode(fixture).leaderboard))
            let table = try SweepClientCommandsTests.table(text)
            #expect(table.count == json.count, "\(text)")
            // Every column starts at its header's offset (no row pushes a cell off).
            let lines = text.split(separator: "\n").map { Array($0) }
            for title in ["SEEDS", "MEAN ± STD", "95% CI", "P VS BEST"] {
                let offset = try #require(String(lines[0]).range(of: title)).lowerBound.utf16Offset(in: String(lines[0]))
                for line in lines.dropFirst() {
                    #expect(line[offset - 1] == " " && line[offset] != " ", "\(title) in \(String(line))")
                }
            }
            for (rank, (row, source)) in zip(table, json).enumerated() {
                #expect(row["RANK"] == String(rank + 1))
                let parameters = try #require(source["parameters"] as? [String: Any])
                #expect(row["PARAMETERS"] == parameters.keys.sorted().map { "\($0)=\(parameters[$0]!)" }.joined(separator: ", "), "\(text)")
                #expect(row["SEEDS"] == "\(source["finished_seeds"]!)")
                #expect(row["PRUNED"] == "\(source["pruned_seeds"]!)")
                let mean = try #require(source["mean"] as? Double)
                if let std = source["std"] as? Double {
                    #expect(row["MEAN ± STD"] == String(format: "%.4f ± %.4f", mean, std))
                } else {
                    #expect(row["MEAN ± STD"] == String(format: "%.4f", mean))
                }
                if let ci = source["ci95"] as? [Double] {
                    #expect(row["95% CI"] == String(format: "[%.4f, %.4f]", ci[0], ci[1]))
                    #expect(ci[0] <= mean && mean <= ci[1])
                } else {
                    #expect(row["95% CI"] == "-")
                }
                let comparison = try #require(row["P VS BEST"])
                if source["best"] as? Bool == true {
                    #expect(comparison == "best")
                } else {
                    let p = (source["p_value"] as? Double).map { String(format: "%.3f", $0) } ?? "-"
                    let marked = source["indistinguishable_from_best"] as? Bool == true
                    #expect(comparison == p + (marked ? " ≈ best" : ""), "\(text)")
                }
            }
            #expect(table.filter { $0["P VS BEST"] == "best" }.count == 1, "\(text)")
        }
    }

    @Test func indistinguishableConfigurationsAreMarked() throws {
        let text = SweepDocument.table(try #require(try Self.decode(Self.plain).leaderboard))
        let table = try SweepClientCommandsTests.table(text)
        #expect(table.map { $0["P VS BEST"] } == ["best", "0.340 ≈ best", "0.350 ≈ best"], "\(text)")
        #expect(table.map { $0["PARAMETERS"] } == ["loss.beta=4", "loss.beta=1", "loss.beta=0.5"])
        #expect(!text.contains("ASHA"), "no column without early stopping")
    }

    @Test func theASHAStandingSaysTheDecisionRungEpochAndMean() throws {
        let text = SweepDocument.table(try #require(try Self.decode(Self.asha).leaderboard))
        let table = try SweepClientCommandsTests.table(text)
        #expect(table.map { $0["ASHA"] } == ["promote at rung 0 (epoch 1, mean 0.5225)", "prune at rung 0 (epoch 1, mean 0.5075)",
                                             "prune at rung 0 (epoch 1, mean 0.5075)"], "\(text)")
        #expect(table.map { $0["PRUNED"] } == ["0", "1", "1"])
    }

    @Test func theDetailsSayProgressByStatusAndTheMetric() throws {
        let sweep = try Self.decode(Self.asha)
        #expect(sweep.progressText == "6/6 finished (succeeded 4, pruned 2)")
        let lines = sweep.details.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(Array(lines.prefix(5)) == ["id:        swp_1m8vwhevc9avh", "name:      betas-asha", "status:    finished",
                                           "progress:  6/6 finished (succeeded 4, pruned 2)", "metric:    knn_accuracy (maximize)"])
        #expect(sweep.details.hasSuffix(SweepDocument.table(sweep.leaderboard ?? [])))
        #expect(sweep.exitCode == .success)
    }

    @Test func parameterValuesPrintAsTheUserWroteThem() throws {
        let values = try JSONDecoder().decode([String: SweepDocument.Value].self, from: Data(
            #"{"b": 1, "a": 0.05, "c": "sscl", "d": [32, 16], "e": true, "f": null, "g": {"k": 1e-3}}"#.utf8))
        #expect(SweepDocument.parameters(values) == "a=0.05, b=1, c=sscl, d=[32,16], e=true, f=null, g={k:0.001}")
    }
}
