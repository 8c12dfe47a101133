import ArgumentParser
import Foundation

/// `sscl status [ID]`: one job's status, progress and result, or the job list as a table.
struct StatusCommand: ClientCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show a job or a sweep, or list the jobs (newest first).",
        discussion: "A sweep id (swp_...) shows the sweep's progress and its leaderboard."
    )

    @Argument(help: "A job or sweep id; without it, the job list.") var id: String?
    @Option(help: "List only jobs in this status (queued, running, succeeded, failed, cancelled, pruned).") var status: String?
    @Option(help: "List at most this many jobs.") var limit = 50
    @Flag(help: "Print the server's JSON as it is.") var json = false
    @OptionGroup var options: ClientOptions

    func run(with client: APIClient) throws {
        if let id, id.hasPrefix(SweepDocument.idPrefix) {
            let path = "/v1/sweeps/\(APIClient.segment(id))"
            if json { return try printRaw(client, path) }
            print(try client.call(SweepDocument.self, "GET", path).details, terminator: "")
        } else if let id {
            let path = "/v1/jobs/\(APIClient.segment(id))"
            if json { return try printRaw(client, path) }
            print(Self.details(try client.call(JobDocument.self, "GET", path)))
        } else {
            var query = [URLQueryItem(name: "limit", value: String(limit))]
            if let status { query.append(URLQueryItem(name: "status", value: status)) }
            if json { return try printRaw(client, "/v1/jobs", query: query) }
            let list = try client.call(JobList.self, "GET", "/v1/jobs", query: query)
            print(Self.table(list.jobs), terminator: "")
            if list.nextCursor != nil { print("(more jobs: raise --limit)") }
        }
    }

    private func printRaw(_ client: APIClient, _ path: String, query: [URLQueryItem] = []) throws {
        let response = try client.send(client.request("GET", path, query: query))
        try APIClient.check(response, request: "GET \(path)")
        print(String(decoding: response.body, as: UTF8.self))
    }

    /// ID, NAME, STATUS, PROGRESS, KNN, CREATED in aligned columns.
    static func table(_ jobs: [JobDocument]) -> String {
        var rows = [["ID", "NAME", "STATUS", "PROGRESS", "KNN", "CREATED"]]
        for job in jobs {
            let progress: String
            if job.status == .succeeded {
                progress = "100%"
            } else if let p = job.progress {
                progress = "\(Int((WatchDisplay.fraction(p) * 100).rounded(.down)))% \(p.step)/\(p.steps)"
            } else if job.status == .queued, let position = job.queuePosition {
                progress = "#\(position) in queue"
            } else {
                progress = "-"
            }
            rows.append([job.id, job.name ?? "", job.status.rawValue, progress,
                         job.result.map { String(format: "%.4f", $0.knnAccuracy) } ?? "-", job.head.createdAt])
        }
        let widths = (0..<rows[0].count).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ") + "\n"
        }.joined()
    }

    /// One field per line.
    static func details(_ job: JobDocument) -> String {
        var lines = ["id:        \(job.id)"]
        if let name = job.name { lines.append("name:      \(name)") }
        var status = job.status.rawValue
        if job.head.cancelRequested && !job.status.isFinished { status += " (cancel requested)" }
        if let position = job.queuePosition { status += " (position \(position) in the queue)" }
        lines.append("status:    \(status)")
        lines.append("attempt:   \(job.head.attempt)")
        lines.append("created:   \(job.head.createdAt)")
        if let started = job.head.startedAt { lines.append("started:   \(started)") }
        if let finished = job.head.finishedAt { lines.append("finished:  \(finished)") }
        if let progress = job.progress { lines.append("progress:  \(WatchDisplay.describe(progress))") }
        if let result = job.result {
            var text = result.accuracySummary
            text += String(format: ", %d steps in %.1f s", result.steps, result.seconds)
            lines.append("result:    \(text)")
            for warning in result.warnings { lines.append("warning:   \(warning)") }
        }
        if let error = job.head.error { lines.append("error:     \(error.code): \(error.message)") }
        return lines.joined(separator: "\n")
    }
}
