import Foundation
import SSCLService
import SSCLStore

/// What `sscl watch` shows on stderr: a redrawn progress bar on a terminal, plain lines
/// otherwise (every 5 s and at 100%), and a line per status change. Called from URLSession's
/// queue and the main thread, one at a time, hence the lock.
final class WatchDisplay: @unchecked Sendable {
    private let isTerminal = isatty(STDERR_FILENO) != 0
    private let lock = NSLock()
    private var lastPlainLine = Date.distantPast
    private var barShown = false
    private var lastStatus: String?
    private var lastProgress: JobProgress?

    func status(_ head: JobStatusSnapshot, queuePosition: Int? = nil) {
        lock.withLock {
            var text = head.status.rawValue
            if head.status == .queued, let queuePosition { text += " (position \(queuePosition))" }
            if head.status == .running, head.attempt > 1 { text += " (attempt \(head.attempt))" }
            if head.cancelRequested && !head.status.isFinished { text += ", cancel requested" }
            guard text != lastStatus else { return }
            lastStatus = text
            line("\(head.id): \(text)")
        }
    }

    func progress(_ p: JobProgress) {
        lock.withLock {
            guard p != lastProgress else { return }
            lastProgress = p
            let text = Self.describe(p)
            if isTerminal {
                let width = 30
                let filled = Int(Double(width) * Self.fraction(p))
                let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
                FileHandle.standardError.write(Data("\r\u{1B}[K[\(bar)] \(text)".utf8))
                barShown = true
            } else if Date().timeIntervalSince(lastPlainLine) >= 5 || p.step >= p.steps {
                lastPlainLine = Date()
                FileHandle.standardError.write(Data((text + "\n").utf8))
            }
        }
    }

    /// Ends the bar line so the next output starts on its own line.
    func finish() {
        lock.withLock {
            if barShown { FileHandle.standardError.write(Data("\n".utf8)) }
            barShown = false
        }
    }

    static func fraction(_ p: JobProgress) -> Double {
        p.steps > 0 ? min(1, max(0, Double(p.step) / Double(p.steps))) : 0
    }

    /// "100% epoch 2/2 step 8/8 1520 img/s eta 0s".
    static func describe(_ p: JobProgress) -> String {
        var text = "\(Int((fraction(p) * 100).rounded(.down)))% epoch \(p.epoch)/\(p.epochs) step \(p.step)/\(p.steps)"
        if let rate = p.imagesPerSecond { text += String(format: " %.0f img/s", rate) }
        if let eta = p.etaSeconds { text += " eta \(ProgressDisplay.duration(eta))" }
        return text
    }

    private func line(_ text: String) {
        FileHandle.standardError.write(Data(((barShown ? "\r\u{1B}[K" : "") + text + "\n").utf8))
        barShown = false
    }
}
