import ArgumentParser
import Foundation
import SSCLStore

extension JobDocument {
    /// One line for the terminal: "job_x succeeded in 3.2 s: kNN 0.7123 ...", "job_x failed: code: message".
    var summary: String {
        var text = "\(id) \(status.rawValue)"
        if status == .queued, let queuePosition { text += " (position \(queuePosition))" }
        if head.cancelRequested && !status.isFinished { text += " (cancel requested)" }
        if let result {
            text += String(format: " in %.1f s: ", result.seconds) + result.accuracySummary
        } else if let progress, !status.isFinished {
            text += ": " + WatchDisplay.describe(progress)
        }
        if let error = head.error { text += ": \(error.code): \(error.message)" }
        return text
    }

    /// The exit status of a command that waited for this job: 0 succeeded, 1 failed, 2 cancelled, 3 pruned (a sweep
    /// trial that ASHA stopped early).
    var exitCode: ExitCode {
        switch status {
        case .succeeded: .success
        case .cancelled: ExitCode(2)
        case .pruned: ExitCode(3)
        default: .failure
        }
    }
}
