import ArgumentParser

/// `sscl cancel ID`: POST /v1/jobs/{id}/cancel.
struct CancelCommand: ClientCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel a job.",
        discussion: "A queued job is cancelled at once; a running one stops after its current step (shown as cancel requested)."
    )

    @Argument(help: "The job id.") var id: String
    @OptionGroup var options: ClientOptions

    func run(with client: APIClient) throws {
        let job = try client.call(JobDocument.self, "POST", "/v1/jobs/\(APIClient.segment(id))/cancel")
        print(job.summary)
    }
}
