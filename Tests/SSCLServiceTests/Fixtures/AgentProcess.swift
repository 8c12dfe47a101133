import Foundation

/// `sscl agent` as a child process, its stderr collected (and drained).
final class AgentProcess: @unchecked Sendable {
    let process: Process
    private let output = CollectedText()
    /// True once the agent said it runs jobs.
    private(set) var started = false

    var pid: Int32 { process.processIdentifier }
    var stderr: String { output.text }

    /// Starts `sscl agent --store store --runs-dir runs` and waits up to 30 s for it to say it
    /// runs jobs, or to exit.
    init(store: String, runs: URL, data: URL, arguments: [String] = []) throws {
        process = Process()
        process.executableURL = TestBinary.sscl
        process.arguments = ["agent", "--store", store, "--runs-dir", runs.path, "--data-dir", data.path,
                             "--migrations", ServiceFixture.repository.appendingPathComponent("migrations").path,
                             "--log-level", "notice"] + arguments
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        PipeReading.drain(pipe, into: output)
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline && !output.isClosed {
            if output.text.contains("running jobs (Ctrl-C to stop)") {
                started = true
                break
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
    }

    /// The agent's child processes (its workers).
    var children: [Int32] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        return tasks.flatMap { task in
            ((try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/children", encoding: .utf8)) ?? "")
                .split(separator: " ").compactMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
    }

    /// SIGTERM (a graceful stop), then reaped; SIGKILL if it has not ended within `timeout`.
    func stop(timeout: Double = 20) {
        guard process.isRunning else { return }
        kill(pid, SIGCONT)
        process.terminate()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { kill(pid, SIGKILL) }
        process.waitUntilExit()
    }
}
