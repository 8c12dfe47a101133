import Foundation
import Testing
@testable import SSCLEngine

@Suite struct GoldenSuiteTests {
    /// The shipped file's results, computed once for all the per-case tests.
    static let shippedResults: [GoldenCaseResult] = (try? GoldenSuite.run(fileAt: GoldenSuite.shippedFileURL)) ?? []
    static let caseNames: [String] = shippedResults.map(\.name)

    @Test func shippedFileHoldsEveryCase() throws {
        let results = try GoldenSuite.run(fileAt: GoldenSuite.shippedFileURL)
        #expect(results.count == 10)
        #expect(Set(results.map(\.name)).count == results.count)
    }

    @Test(arguments: caseNames)
    func goldenCasePasses(name: String) throws {
        let result = try #require(Self.shippedResults.first { $0.name == name })
        #expect(result.passed, "\(name): \(result.reason ?? "")")
        #expect(result.lossRelativeError <= GoldenSuite.lossTolerance, "\(name)")
        #expect(result.gradRelativeError <= GoldenSuite.gradTolerance, "\(name)")
    }

    @Test func hardListsMatchTheGoldenOnesExactly() throws {
        var checked = 0
        for parsed in try GoldenSuite.loadCases(fileAt: GoldenSuite.shippedFileURL) {
            guard case .valid(let c) = parsed, let expected = c.expectedHard else { continue }
            let loss = ContrastiveLoss(spec: c.spec)
            var rng = SeededGenerator(seed: 0)
            _ = loss.forwardBackward(embeddings: c.embeddings, plan: c.plan, rng: &rng)
            #expect(loss.lastHardIndices == expected, "\(c.name)")
            checked += 1
        }
        #expect(checked == 6)
    }

    /// Writes `json` to a fresh temporary file.
    static func temporaryFile(_ json: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("golden-\(UUID().uuidString).json")
        try json.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    static let tinyCase = """
        "temperature": 0.5, "batch": 2, "dim": 2,
        "embeddings": [[1, 0], [0, 1], [1, 1], [-1, 0]],
        "expected_loss": 1.0, "expected_grad": [[0, 0], [0, 0], [0, 0], [0, 0]]
        """

    @Test func unknownLossOrMixingFailsTheCaseWithTheReason() throws {
        let url = try Self.temporaryFile("""
            {"about": "test", "cases": [
              {"name": "odd-loss", "loss": "triplet", \(Self.tinyCase)},
              {"name": "odd-mixing", "loss": "sscl", "tau_plus": 0.1, "beta": 1, "hard_pool": 2,
               "synthetic": 1, "mixing": "swirl", \(Self.tinyCase)},
              {"name": "bad-shape", "loss": "ntxent", "temperature": 0.5, "batch": 3, "dim": 2,
               "embeddings": [[1, 0]], "expected_loss": 1, "expected_grad": [[0, 0]]},
              {"name": "no-plan", "loss": "sscl", "tau_plus": 0.1, "beta": 1, "hard_pool": 2,
               "synthetic": 1, "mixing": "pair", \(Self.tinyCase)},
              {"name": "wrong-loss", "loss": "ntxent", \(Self.tinyCase)}
            ]}
            """)
        defer { try? FileManager.default.removeItem(at: url) }
        let results = try GoldenSuite.run(fileAt: url)
        #expect(results.map(\.name) == ["odd-loss", "odd-mixing", "bad-shape", "no-plan", "wrong-loss"])
        #expect(results.allSatisfy { !$0.passed && $0.reason != nil })
        #expect(results[0].reason?.contains("unknown loss 'triplet'") == true)
        #expect(results[1].reason?.contains("unknown mixing 'swirl'") == true)
        #expect(results[2].reason?.contains("embeddings") == true)
        #expect(results[3].reason?.contains("plan") == true)
        // A well-formed case with a wrong expected value runs and fails on its numbers.
        #expect(results[4].lossRelativeError > GoldenSuite.lossTolerance)
        #expect(results[4].reason?.contains("loss") == true)
    }

    @Test func missingFileThrowsNamingIt() {
        let url = URL(fileURLWithPath: "/nonexistent/golden-\(UUID().uuidString).json")
        #expect {
            _ = try GoldenSuite.run(fileAt: url)
        } throws: { error in
            (error as? GoldenSuite.FileError)?.description.contains(url.path) == true
        }
    }

    @Test func malformedFileThrows() throws {
        for text in ["{not json", "[1, 2]", "{\"about\": \"no cases\"}"] {
            let url = try Self.temporaryFile(text)
            defer { try? FileManager.default.removeItem(at: url) }
            #expect(throws: GoldenSuite.FileError.self) { _ = try GoldenSuite.run(fileAt: url) }
        }
    }
}
