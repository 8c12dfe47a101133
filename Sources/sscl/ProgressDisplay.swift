import Foundation
import SSCLEngine

/// Shows a run's events on stderr: a redrawn bar on a terminal, plain lines otherwise (logs,
/// pipes). Called from the training thread and the main thread, hence the lock.
final class ProgressDisplay: @unchecked Sendable {
    let isTerminal = isatty(STDERR_FILENO) != 0
    private let lock = NSLock()
    private var lastPlainLine = Date.distantPast

    func show(_ event: TrainingEvent) {
        lock.withLock {
            switch event.kind {
            case let .step(s):
                showStep(s)
            case let .evaluation(e):
                var text = String(format: "eval epoch %d: knn %.4f", e.epoch, e.knnAccuracy)
                if let l = e.linearAccuracy { text += String(format: " linear %.4f", l) }
                text += String(format: " alignment %.4f uniformity %.4f", e.alignment, e.uniformity)
                line(text)
            case let .log(message):
                line(message)
            case let .result(r):
                line(String(format: "done in %.1f s: ", r.seconds) + r.accuracySummary)
            case let .error(failure):
                line("error: \(failure.message)")
            case .started, .checkpoint, .stopped, .diagnostics:
                break
            }
        }
    }

    private func showStep(_ s: StepReport) {
        let eta = s.globalStep > 0 ? s.elapsedSeconds / Double(s.globalStep) * Double(s.totalSteps - s.globalStep) : 0
        let text = String(format: "epoch %d/%d step %d/%d loss %.4f lr %.4g %.0f img/s eta %@",
                          s.epoch, s.epochs, s.globalStep, s.totalSteps, s.loss, s.lr, s.imagesPerSecond,
                          Self.duration(eta))
        if isTerminal {
            let width = 24
            let filled = Int(Double(width) * Double(s.globalStep) / Double(max(1, s.totalSteps)))
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            FileHandle.standardError.write(Data("\r\u{1B}[K[\(bar)] \(text)".utf8))
        } else if Date().timeIntervalSince(lastPlainLine) >= 5 || s.globalStep == s.totalSteps {
            lastPlainLine = Date()
            FileHandle.standardError.write(Data((text + "\n").utf8))
        }
    }

    /// Ends a bar line before printing a full line.
    func line(_ text: String) {
        FileHandle.standardError.write(Data(((isTerminal ? "\r\u{1B}[K" : "") + text + "\n").utf8))
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? "\(s / 3600)h\(s % 3600 / 60)m" : (s >= 60 ? "\(s / 60)m\(s % 60)s" : "\(s)s")
    }
}
