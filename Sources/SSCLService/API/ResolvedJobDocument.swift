import Foundation
import SSCLEngine

/// `{"job": {...}}`: a job document with every default filled in, as a dry run
/// (`POST /v1/jobs?dry_run=true`) and `GET /v1/defaults` show it (the `ResolvedJob` schema).
struct ResolvedJobDocument: Encodable {
    var job: JSONValue
}
