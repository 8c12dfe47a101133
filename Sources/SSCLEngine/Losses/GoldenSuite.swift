import Foundation

/// The verdict on one golden case.
public struct GoldenCaseResult: Sendable {
    public let name: String
    public let passed: Bool
    /// |L - L_ref| / |L_ref| (NaN when the case could not run).
    public let lossRelativeError: Double
    /// ||g - g_ref|| / ||g_ref|| (NaN when the case could not run).
    public let gradRelativeError: Double
    /// Why it failed; nil when it passed.
    public let reason: String?
}

/// Replays the golden loss vectors (float64 PyTorch autograd, see the file's `about` field
/// and method.md, "Golden vectors") through `ContrastiveLoss` in float32 and checks the
/// loss, the gradient and the hard lists. Used by the tests and by `sscl selftest`.
public enum GoldenSuite {
    /// Loss tolerance: relative error, float32 against float64 (method.md).
    public static let lossTolerance = 2e-5
    /// Gradient tolerance: ||g - g_ref|| / ||g_ref|| (method.md).
    public static let gradTolerance = 2e-4

    /// An unreadable or malformed golden file.
    public struct FileError: Error, CustomStringConvertible, Sendable {
        public let path: String
        public let problem: String
        public var description: String { "golden file \(path): \(problem)" }
    }

    /// The golden file shipped inside the engine (resource "Resources/golden/losses.json").
    /// Found like the built-in datasets (`DatasetLoader.resourcesFolder`), not through
    /// `Bundle.module`, whose `fatalError` would crash a binary copied without its bundle;
    /// then `run` throws "cannot be read" instead.
    public static var shippedFileURL: URL {
        (DatasetLoader.resourcesFolder ?? URL(fileURLWithPath: "/nonexistent/sscl_SSCLEngine.resources/Resources"))
            .appendingPathComponent("golden/losses.json")
    }

    /// Runs every case of a golden file. A case with an unknown loss or mixing, or malformed
    /// fields, fails with that reason; an unreadable or malformed file throws `FileError`.
    public static func run(fileAt url: URL) throws -> [GoldenCaseResult] {
        try loadCases(fileAt: url).map { parsed in
            switch parsed {
            case .valid(let goldenCase):
                return run(goldenCase)
            case .invalid(let name, let reason):
                return GoldenCaseResult(name: name, passed: false, lossRelativeError: .nan,
                                        gradRelativeError: .nan, reason: reason)
            }
        }
    }

    /// Runs one parsed case with its explicit mixing plan.
    static func run(_ c: Case) -> GoldenCaseResult {
        let loss = ContrastiveLoss(spec: c.spec)
        var rng = SeededGenerator(seed: 0)  // unused: the plan is explicit
        let result = loss.forwardBackward(embeddings: c.embeddings, plan: c.plan, rng: &rng)

        let lossError = abs(Double(result.loss) - c.expectedLoss) / max(abs(c.expectedLoss), 1e-30)
        var difference = 0.0, reference = 0.0
        for (g, expected) in zip(result.dEmbeddings.data, c.expectedGrad) {
            difference += (Double(g) - expected) * (Double(g) - expected)
            reference += expected * expected
        }
        let gradError = difference.squareRoot() / max(reference.squareRoot(), 1e-30)

        var problems: [String] = []
        if !(lossError <= lossTolerance) {
            problems.append("loss \(result.loss) vs \(c.expectedLoss): relative error \(lossError) > \(lossTolerance)")
        }
        if !(gradError <= gradTolerance) {
            problems.append("gradient relative error \(gradError) > \(gradTolerance)")
        }
        if let expectedHard = c.expectedHard {
            let found = loss.lastHardIndices
            if let row = (0..<expectedHard.count).first(where: { found.count <= $0 || found[$0] != expectedHard[$0] }) {
                let got = row < found.count ? "\(found[row])" : "nothing"
                problems.append("hard list of anchor \(row) is \(got), expected \(expectedHard[row])")
            }
        }
        return GoldenCaseResult(name: c.name, passed: problems.isEmpty, lossRelativeError: lossError,
                                gradRelativeError: gradError,
                                reason: problems.isEmpty ? nil : problems.joined(separator: "; "))
    }
}
