/// Where a job is in its life: queued → running → succeeded | failed | cancelled | pruned.
/// Failed and cancelled jobs may be queued again (retry); a running job may be queued again
/// when its worker dies (restart) or the server stops. `pruned` is a sweep trial that ASHA
/// stopped early (its configuration was not promoted at a rung); it keeps its checkpoint and
/// metrics and is never run again.
public enum JobStatus: String, Sendable, Codable, CaseIterable {
    case queued, running, succeeded, failed, cancelled, pruned

    /// True for the end states, which carry a `finished_at`.
    public var isFinished: Bool {
        switch self {
        case .queued, .running: false
        case .succeeded, .failed, .cancelled, .pruned: true
        }
    }
}
