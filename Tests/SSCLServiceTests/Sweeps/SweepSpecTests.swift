import Foundation
import Testing
import SSCLEngine
@testable import SSCLService

/// The sweep document: parsing, grid and random expansion, and the check of every trial.
@Suite struct SweepSpecTests {
    static let base = #"{"dataset": {"name": "fashion-mnist-mini", "train_limit": 128}, "epochs": 3, "batch_size": 32}"#

    static func sweep(_ fields: String) throws -> SweepSpec {
        try SweepSpec.parse(json: Data("{\"base\": \(base), \(fields)}".utf8))
    }

    static func issues(_ body: () throws -> Void) -> [ValidationIssue] {
        do {
            try body()
            return []
        } catch let error as SweepValidationError {
            return error.issues
        } catch {
            Issue.record("unexpected \(error)")
            return []
        }
    }

    @Test func gridIsTheProductTimesSeeds() throws {
        let spec = try Self.sweep(#"""
            "parameters": {"loss.kind": {"values": ["hcl", "sscl"]}, "loss.beta": {"values": [0.5, 1, 2]}},
            "seeds": [7, 8], "name": "g", "max_concurrent": 2
            """#)
        #expect(spec.method == .grid && spec.name == "g" && spec.maxConcurrent == 2 && spec.earlyStopping == nil)
        let (configurations, trials) = try spec.expand()
        #expect(configurations.count == 6)
        // The first parameter varies slowest.
        #expect(configurations.map { $0.values.map { $0.jsonText() } } == [
            ["\"hcl\"", "0.5"], ["\"hcl\"", "1"], ["\"hcl\"", "2"],
            ["\"sscl\"", "0.5"], ["\"sscl\"", "1"], ["\"sscl\"", "2"],
        ])
        #expect(trials.count == 12)
        #expect(trials.map(\.configuration) == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5])
        #expect(trials.map(\.seed) == [7, 8, 7, 8, 7, 8, 7, 8, 7, 8, 7, 8])
        let last = trials[11]
        #expect(last.spec.seed == 8 && last.spec.loss.kind == .sscl && last.spec.loss.beta == 2)
        #expect(last.spec.epochs == 3 && last.spec.batchSize == 32)
        #expect(last.job["loss"]?["beta"] == .number("2"))
    }

    @Test func randomDrawsAreReproducibleAndInTheirDomains() throws {
        let fields = #"""
            "method": "random", "trials": 40, "seed": 11, "seeds": [0, 1, 2],
            "parameters": {"optimizer.lr": {"distribution": "log_uniform", "min": 0.01, "max": 1},
                           "loss.temperature": {"distribution": "uniform", "min": 0.1, "max": 0.5},
                           "eval.knn_k": {"distribution": "int_uniform", "min": 5, "max": 9},
                           "loss.kind": {"values": ["hcl", "sscl", "dcl"]}}
            """#
        let first = try Self.sweep(fields).expand()
        let again = try Self.sweep(fields).expand()
        #expect(first.configurations == again.configurations)
        #expect(first.trials.count == 120)
        let other = try Self.sweep(fields.replacingOccurrences(of: "\"seed\": 11", with: "\"seed\": 12")).expand()
        #expect(other.configurations != first.configurations)
        var kinds = Set<String>(), ks = Set<Int>()
        for trial in first.trials {
            let s = trial.spec
            #expect(s.optimizer.lr >= 0.01 && s.optimizer.lr <= 1)
            #expect(s.loss.temperature >= 0.1 && s.loss.temperature <= 0.5)
            kinds.insert(s.loss.kind.rawValue)
            ks.insert(s.eval.knnK)
        }
        #expect(kinds == ["hcl", "sscl", "dcl"])
        #expect(ks == Set(5...9))
        // log_uniform: about half the draws below the geometric midpoint 0.1.
        let below = first.configurations.filter { Double($0.values[0].jsonText())! < 0.1 }.count
        #expect((10...30).contains(below))
    }

    @Test func everyTrialIsValidatedAndErrorsNameTheParameterValue() {
        let found = Self.issues {
            _ = try Self.sweep(#"""
                "parameters": {"loss.beta": {"values": [0.5, 1, 200]}, "epochs": {"values": [2, 0]}},
                "seeds": [0, 1]
                """#).expand()
        }
        #expect(found.map(\.path) == [#"parameters["epochs"].values[1]"#, #"parameters["loss.beta"].values[2]"#])
        #expect(found[1].reason.contains("[0, 100]"))

        let base = Self.issues {
            let document = #"{"base": {"dataset": {"name": "fashion-mnist-mini"}, "batch_size": 1},"#
                + #""parameters": {"optimizer.lr": {"distribution": "uniform", "min": -1, "max": -0.5}}, "method": "random", "trials": 3}"#
            _ = try SweepSpec.parse(json: Data(document.utf8)).expand()
        }
        #expect(base.map(\.path) == ["base.batch_size", #"parameters["optimizer.lr"]"#])
        #expect(base[1].reason.contains("drawn value"))
    }

    @Test func malformedSweepsNameEveryField() {
        let found = Self.issues {
            _ = try SweepSpec.parse(json: Data(#"""
                {"parameters": {"loss.beta": {"distribution": "log_uniform", "min": 0, "max": 1}, "seed": {"values": [1]},
                                "a..b": {"values": [1]}, "epochs": {"values": []}},
                 "method": "grid", "seeds": [1, 1], "metric": {"name": "lr"}, "early_stopping": {"kind": "hyperband"},
                 "max_concurrent": 0, "colour": 1}
                """#.utf8))
        }
        let paths = Set(found.map(\.path))
        for expected in ["colour", "base", #"parameters["seed"]"#, #"parameters["a..b"]"#, #"parameters["epochs"].values"#,
                         #"parameters["loss.beta"].min"#, "seeds[1]", "metric.name", "early_stopping.kind", "max_concurrent"] {
            #expect(paths.contains(expected), "missing \(expected) in \(found)")
        }
        let random = Self.issues { _ = try Self.sweep(#""method": "random", "parameters": {"epochs": {"values": [1]}}"#) }
        #expect(random.map(\.path) == ["trials"])
        let grid = Self.issues { _ = try Self.sweep(#""parameters": {"optimizer.lr": {"distribution": "uniform", "min": 0.1, "max": 1}}"#) }
        #expect(grid.map(\.path) == [#"parameters["optimizer.lr"]"#])
    }

    @Test func settingAPathCreatesObjectsAndRefusesScalars() throws {
        let job = try JSONValue.parse(Data(#"{"epochs": 3, "loss": {"kind": "hcl"}}"#.utf8))
        #expect(SweepSpec.setting(job, path: ["loss", "beta"], to: .number(2))?["loss"] == .object([JSONMember("kind", .string("hcl")), JSONMember("beta", .number(2))]))
        #expect(SweepSpec.setting(job, path: ["optimizer", "lr"], to: .number(1))?["optimizer"]?["lr"] == .number(1))
        #expect(SweepSpec.setting(job, path: ["epochs", "x"], to: .number(1)) == nil)
    }
}
