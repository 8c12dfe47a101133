import Foundation

/// `sscl serve` as a child process on a free port of 127.0.0.1, its stderr collected (and
/// drained, so a chatty server never blocks on a full pipe).
final class ServerProcess: @unchecked Sendable {
    let process: Process
    /// The bound port; 0 when the server did not come up (see `stderr` and `exitStatus`).
    private(set) var port = 0
    private let output = CollectedText()

    var base: String { "http://127.0.0.1:\(port)" }
    var pid: Int32 { process.processIdentifier }
    /// Everything the server wrote to stderr so far.
    var stderr: String { output.text }

    /// Starts `sscl serve` on `db`, `runs` and `data` (under `root` unless given) and waits up to
    /// 30 s for it to say it serves, or to exit.
    /// `store` (a `--store` URL) replaces `db`.
    init(root: URL, db: URL? = nil, store: String? = nil, runs: URL? = nil, arguments: [String] = []) throws {
        process = Process()
        process.executableURL = TestBinary.sscl
        let storeArguments = store.map { ["--store", $0] } ?? ["--db", (db ?? root.appendingPathComponent("db.sqlite")).path]
        process.arguments = ["serve", "--port", "0"] + storeArguments + [
                             "--runs-dir", (runs ?? root.appendingPathComponent("runs")).path,
                             "--data-dir", root.appendingPathComponent("data").path,
                             "--migrations", ServiceFixture.repository.appendingPathComponent("migrations").path,
                             "--log-level", "warning"] + arguments
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        PipeReading.drain(pipe, into: output)
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let text = output.text
            if let range = text.range(of: "serving http://") {
                let rest = text[range.upperBound...].prefix { $0 != "/" }
                port = rest.split(separator: ":").last.flatMap { Int($0) } ?? 0
                break
            }
            if output.isClosed { break }
            Thread.sleep(forTimeInterval: 0.02)
        }
    }

    /// The exit status once the process has ended within `timeout` seconds; nil if it is still running.
    func exitStatus(within timeout: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        return process.isRunning ? nil : process.terminationStatus
    }

    /// SIGKILL, then reaped.
    func kill9() {
        kill(pid, SIGKILL)
        process.waitUntilExit()
    }

    /// SIGTERM (a graceful shutdown), then reaped.
    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    /// The server's child processes (its workers).
    var children: [Int32] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        return tasks.flatMap { task in
            ((try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/children", encoding: .utf8)) ?? "")
                .split(separator: " ").compactMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
    }
}

/// Text appended by a reader thread and read by the test.
final class CollectedText: @unchecked Sendable {
    private let lock = NSLock()
    private var buffer = ""
    private var closed = false

    var text: String { lock.withLock { buffer } }
    var isClosed: Bool { lock.withLock { closed } }
    func append(_ text: String) { lock.withLock { buffer += text } }
    func close() { lock.withLock { closed = true } }
}
