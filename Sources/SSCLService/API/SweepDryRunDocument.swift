import Foundation
import SSCLEngine

/// `POST /v1/sweeps?dry_run=true`: the resolved sweep and the trials it would queue, each
/// with its configuration, seed and resolved job (the `SweepDryRun` schema).
struct SweepDryRunDocument: Encodable {
    var sweep: JSONValue
    var trials: [Trial]

    struct Trial: Encodable {
        var configuration: Int
        var seed: UInt64
        var job: JSONValue
    }
}
