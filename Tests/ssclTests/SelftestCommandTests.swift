import Foundation
import Testing

@Suite struct SelftestCommandTests {
    @Test func versionIsPrinted() throws {
        let out = try CommandRunner.run(["--version"])
        #expect(out.status == 0)
        #expect(out.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".").count == 3)
    }

    @Test func shippedGoldenCasesAndGradientChecksPass() throws {
        let out = try CommandRunner.run(["selftest"])
        #expect(out.status == 0, "\(out.stdout)")
        let lines = out.stdout.split(separator: "\n")
        #expect(lines.filter { $0.hasPrefix("PASS ") && !$0.contains("gradient/") }.count == 10)
        #expect(lines.contains { $0.hasPrefix("PASS gradient/Conv2D") })
        #expect(!lines.contains { $0.hasPrefix("FAIL") })
        #expect(lines.contains { $0.hasPrefix("PASS sscl_pair_B4_d8 loss_rel=") && $0.contains(" grad_rel=") })
    }

    @Test func givenFilesRunExactlyTheirCasesAndUnknownKindsFail() throws {
        let dir = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let e: [[Double]] = [[1, 0], [0, 1], [1, 1], [-1, 0.5]]
        let cases: [[String: Any]] = [
            ["name": "bogus_kind", "loss": "triplet", "temperature": 0.5, "batch": 2, "dim": 2,
             "embeddings": e, "expected_loss": 1.0, "expected_grad": e],
            ["name": "bogus_mixing", "loss": "sscl", "temperature": 0.5, "batch": 2, "dim": 2, "tau_plus": 0.1,
             "beta": 1.0, "hard_pool": 2, "synthetic": 1, "mixing": "blend",
             "plan": ["a": [[0], [0], [0], [0]], "b": [[0], [0], [0], [0]], "alpha": [[0.5], [0.5], [0.5], [0.5]]],
             "expected_hard_indices": [[2, 3], [2, 3], [0, 1], [0, 1]],
             "embeddings": e, "expected_loss": 1.0, "expected_grad": e],
        ]
        let file = dir.appendingPathComponent("cases.json")
        try JSONSerialization.data(withJSONObject: ["about": "test", "cases": cases]).write(to: file)
        let out = try CommandRunner.run(["selftest", "--golden", file.path])
        #expect(out.status != 0)
        let lines = out.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("FAIL bogus_kind") && $0.contains("triplet") })
        #expect(lines.contains { $0.hasPrefix("FAIL bogus_mixing") && $0.contains("blend") })
        #expect(!lines.contains { $0.contains("gradient/") }, "with --golden only those cases run")

        let missing = try CommandRunner.run(["selftest", "--golden", dir.appendingPathComponent("nope.json").path])
        #expect(missing.status != 0)
        #expect(missing.stdout.contains("FAIL"))
        #expect(missing.stdout.contains("nope.json"))
    }
}
