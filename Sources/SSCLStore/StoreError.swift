/// Why the store refused an operation. The caller maps these onto its own errors (404, 409).
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case jobNotFound(String)
    /// The job's status does not allow the operation (e.g. finishing a queued job as succeeded).
    case illegalTransition(jobID: String, from: JobStatus, to: String)
    /// A crash restart was asked for but the job has used all of its `max_restarts`.
    case restartLimitReached(jobID: String, maxRestarts: Int)
    /// An idempotency key came without the hash of the body it belongs to.
    case missingBodyHash
    case invalidCursor(String)
    /// A stored value the store cannot read back (e.g. an unknown status or a malformed time).
    case corruptValue(column: String, value: String)
    /// A `--store` this build cannot open.
    case unsupportedLocation(String)
    /// A node wrote for a job it no longer runs under the lease it named (the lease expired
    /// and the job was taken back or claimed by another node): nothing was written.
    case leaseLost(String)

    public var description: String {
        switch self {
        case .jobNotFound(let id): "job \(id) not found"
        case .illegalTransition(let id, let from, let to): "job \(id) is \(from.rawValue): cannot \(to)"
        case .restartLimitReached(let id, let max): "job \(id) has used all of its \(max) restarts"
        case .missingBodyHash: "an idempotency key needs the SHA-256 of the request body"
        case .invalidCursor(let cursor): "invalid cursor \(cursor)"
        case .corruptValue(let column, let value): "unreadable value \(value) in \(column)"
        case .unsupportedLocation(let location): "cannot open the store \(location)"
        case .leaseLost(let id): "this node no longer holds the lease of job \(id)"
        }
    }
}
