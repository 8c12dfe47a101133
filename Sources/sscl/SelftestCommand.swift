import ArgumentParser
import Foundation
import SSCLEngine

/// Checks the engine on this machine: golden loss vectors and layer gradient checks.
struct SelftestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "selftest",
        abstract: "Check the losses against golden vectors and every layer's gradient.",
        discussion: """
            Without --golden: runs the golden file shipped with sscl and the finite-difference \
            gradient checks of every layer type. With --golden FILE (repeatable): runs exactly the \
            cases of those files. One line per case; exits non-zero if any fails.
            """
    )

    @Option(name: .long, help: ArgumentHelp("A golden-vector JSON file (repeatable).", valueName: "FILE"))
    var golden: [String] = []

    func run() throws {
        BLAS.setThreads(1)
        var failures = 0
        let files = golden.isEmpty ? [GoldenSuite.shippedFileURL] : golden.map { URL(fileURLWithPath: $0) }
        for file in files {
            do {
                for r in try GoldenSuite.run(fileAt: file) {
                    if r.passed {
                        print("PASS \(r.name) loss_rel=\(format(r.lossRelativeError)) grad_rel=\(format(r.gradRelativeError))")
                    } else {
                        failures += 1
                        print("FAIL \(r.name) \(r.reason ?? "") loss_rel=\(format(r.lossRelativeError)) grad_rel=\(format(r.gradRelativeError))")
                    }
                }
            } catch {
                failures += 1
                print("FAIL \(file.path) \(error)")
            }
        }
        if golden.isEmpty {
            for check in GradientCheck.runBuiltInChecks() {
                if check.passed {
                    print("PASS gradient/\(check.name) rel=\(format(check.relativeError))")
                } else {
                    failures += 1
                    print("FAIL gradient/\(check.name) rel=\(format(check.relativeError))")
                }
            }
        }
        if failures > 0 {
            print("\(failures) failed")
            throw ExitCode(1)
        }
    }

    private func format(_ x: Double) -> String {
        x.isFinite ? String(format: "%.2e", x) : "\(x)"
    }
}
