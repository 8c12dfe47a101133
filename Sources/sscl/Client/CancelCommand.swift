import ArgumentParser

/// `sscl cancel ID`: POST /v1/jobs/{id}/cancel, or POST /v1/sweeps/{id}/cancel for a sweep id.
struct CancelCommand: ClientCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel a job or a sweep.",
        discussion: """
            A queued job is cancelled at once; a running one stops after its current step (shown as cancel requested). \
            A sweep (swp_...) ends as cancelled with its unfinished trials; finished trials keep their results.
            """
    )

    @Argument(help: "The job or sweep id.") var id: String
    @OptionGroup var options: ClientOptions

    func run(with client: APIClient) throws {
        if id.hasPrefix(SweepDocument.idPrefix) {
            let sweep = try client.call(SweepDocument.self, "POST", "/v1/sweeps/\(APIClient.segment(id))/cancel")
            print("\(sweep.id) \(sweep.status): \(sweep.progressText)")
            return
        }
        let job = try client.call(JobDocument.self, "POST", "/v1/jobs/\(APIClient.segment(id))/cancel")
        print(job.summary)
    }
}
