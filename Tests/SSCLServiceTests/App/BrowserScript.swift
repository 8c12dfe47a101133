import Foundation

/// A Python browser test under `Tests/browser/` (see `cdp.py`), run against the real `sscl`
/// binary: it starts `sscl serve` itself, drives headless Chromium and prints one line per check.
struct BrowserScript {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }

    let exitStatus: Int32
    let output: String
    var passed: Bool { exitStatus == 0 && output.contains(" 0 failed") }

    /// Runs `Tests/browser/NAME` with `--sscl` and `--repo` set, and waits for it.
    static func run(_ name: String, _ arguments: [String] = []) throws -> BrowserScript {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", ServiceFixture.repository.appendingPathComponent("Tests/browser/\(name)").path,
                             "--sscl", TestBinary.sscl.path, "--repo", ServiceFixture.repository.path] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return BrowserScript(exitStatus: process.terminationStatus, output: text)
    }
}
