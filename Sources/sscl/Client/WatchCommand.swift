import ArgumentParser

/// `sscl watch ID`: a progress bar fed by the job's event stream until the job ends.
struct WatchCommand: ClientCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Follow a job's progress until it ends.",
        discussion: "Exit status: 0 when the job succeeded, 1 when it failed (or on an error), 2 when it was cancelled, 3 when ASHA pruned it (a sweep trial)."
    )

    @Argument(help: "The job id.") var id: String
    @OptionGroup var options: ClientOptions

    func run(with client: APIClient) throws {
        let final = try JobWatcher(client: client, id: id, display: WatchDisplay()).run()
        print(final.summary)
        throw final.exitCode
    }
}
