import ArgumentParser
import Foundation

/// `sscl submit JOB.json`: POST /v1/jobs; prints the new job's id and status.
struct SubmitCommand: ClientCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Submit a job document to a running server.",
        discussion: "Prints the job's id and status. With --wait, follows it like `sscl watch` and exits 0 only if it succeeded."
    )

    @Argument(help: ArgumentHelp("The job document (- for stdin).", valueName: "JOB.json")) var file: String
    @Flag(help: "Follow the job to its end (exit 0 succeeded, 1 failed, 2 cancelled, 3 pruned).") var wait = false
    @Flag(help: "Validate and resolve only (the server's dry_run); prints the resolved job.") var dryRun = false
    @OptionGroup var options: ClientOptions

    func run(with client: APIClient) throws {
        let body = try readDocument(file)
        if dryRun {
            let request = client.request("POST", "/v1/jobs", query: [URLQueryItem(name: "dry_run", value: "true")], body: body)
            let response = try client.send(request)
            try APIClient.check(response, request: "POST /v1/jobs?dry_run=true")
            print(String(decoding: response.body, as: UTF8.self))
            return
        }
        let job = try client.call(JobDocument.self, "POST", "/v1/jobs", body: body)
        print(job.summary)
        guard wait else { return }
        let final = try JobWatcher(client: client, id: job.id, display: WatchDisplay()).run()
        print(final.summary)
        throw final.exitCode
    }
}
