import Foundation

/// Follows a sweep until it is no longer running by polling `GET /v1/sweeps/{id}` (a sweep has
/// no event stream; its trials have theirs). Progress goes to stderr like `sscl watch`'s: one
/// redrawn line on a terminal, a plain line per change otherwise. SIGINT stops the waiting, not
/// the sweep.
struct SweepWatcher {
    let client: APIClient
    let id: String
    var interval: TimeInterval = 2

    /// The sweep's final document, or nil when SIGINT stopped the waiting first.
    func run() throws -> SweepDocument? {
        let interrupted = DispatchSemaphore(value: 0)
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { interrupted.signal() }
        source.resume()
        defer {
            source.cancel()
            signal(SIGINT, SIG_DFL)
        }
        let isTerminal = isatty(STDERR_FILENO) != 0
        var shown: String?
        var lineOpen = false
        defer { if lineOpen { Self.write("\n") } }
        let path = "/v1/sweeps/\(APIClient.segment(id))"
        while true {
            let sweep = try client.call(SweepDocument.self, "GET", path)
            let text = "\(sweep.id) \(sweep.status): \(sweep.progressText)"
            if text != shown {
                shown = text
                if isTerminal {
                    let fraction = sweep.progress.trials > 0 ? Double(sweep.progress.finished) / Double(sweep.progress.trials) : 0
                    let filled = Int(30 * min(1, max(0, fraction)))
                    let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: 30 - filled)
                    Self.write("\r\u{1B}[K[\(bar)] \(text)")
                    lineOpen = true
                } else {
                    Self.write(text + "\n")
                }
            }
            if !sweep.isRunning { return sweep }
            if interrupted.wait(timeout: .now() + interval) == .success { return nil }
        }
    }

    private static func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
