import Foundation

/// `sscl serve` as a child process on 127.0.0.1 (a free port unless given), with its own
/// database, runs and data folders under `root`; its stderr drained by a thread.
final class ServerUnderTest: @unchecked Sendable {
    let root: URL
    let process = Process()
    private(set) var port = 0
    private let lock = NSLock()
    private var output = ""
    private var closed = false

    var base: String { "http://127.0.0.1:\(port)" }
    var stderr: String { lock.withLock { output } }

    static var repository: URL {
        URL(fileURLWithPath: #filePath)  // Tests/ssclTests/Client/this file
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// Starts the server and waits up to 30 s for it to say it serves.
    init(root: URL, port: Int = 0, arguments: [String] = []) throws {
        self.root = root
        process.executableURL = CommandRunner.binary
        process.arguments = ["serve", "--port", String(port),
                             "--db", root.appendingPathComponent("db.sqlite").path,
                             "--runs-dir", root.appendingPathComponent("runs").path,
                             "--data-dir", root.appendingPathComponent("data").path,
                             "--migrations", Self.repository.appendingPathComponent("migrations").path,
                             "--stop-grace", "10", "--log-level", "warning"] + arguments
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let reader = pipe.fileHandleForReading
        Thread { [self] in
            while true {
                let chunk = reader.availableData
                if chunk.isEmpty { break }
                lock.withLock { output += String(decoding: chunk, as: UTF8.self) }
            }
            lock.withLock { closed = true }
        }.start()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let text = stderr
            if let range = text.range(of: "serving http://") {
                let rest = text[range.upperBound...].prefix { $0 != "/" }
                self.port = rest.split(separator: ":").last.flatMap { Int($0) } ?? 0
                return
            }
            if lock.withLock({ closed }) { break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        stop()
        throw ServerDidNotStart(stderr: stderr)
    }

    struct ServerDidNotStart: Error { var stderr: String }

    /// SIGTERM (a graceful shutdown), then reaped.
    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    /// A tiny job on the shipped fashion-mnist-mini (a second or two), written to a file under `root`.
    func writeJob(name: String = "tiny", epochs: Int = 2) throws -> String {
        let url = root.appendingPathComponent("\(name)-\(epochs).json")
        try Data("""
            {"name": "\(name)", "dataset": {"name": "fashion-mnist-mini", "train_limit": 128},
             "model": {"hidden": [32], "projection": [16, 8]}, "loss": {"kind": "sscl", "hard_pool": 8, "synthetic": 4},
             "epochs": \(epochs), "batch_size": 32, "eval": {"knn_k": 10, "linear_probe": false}}
            """.utf8).write(to: url)
        return url.path
    }
}
