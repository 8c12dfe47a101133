import Foundation

/// The `sscl` executable this package builds: the test target depends on it, so it sits in
/// the products folder next to the test bundle (`.build/<triple>/debug/sscl`).
enum TestBinary {
    static var sscl: URL {
        if let override = ProcessInfo.processInfo.environment["SSCL_BINARY"] { return URL(fileURLWithPath: override) }
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            Bundle.main.bundleURL.deletingLastPathComponent(),
            Bundle.main.bundleURL,
        ]
        for dir in candidates where FileManager.default.isExecutableFile(atPath: dir.appendingPathComponent("sscl").path) {
            return dir.appendingPathComponent("sscl")
        }
        return candidates[0].appendingPathComponent("sscl")
    }

    /// A fresh empty folder under the system's temporary directory.
    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sscl-worker-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }
}
