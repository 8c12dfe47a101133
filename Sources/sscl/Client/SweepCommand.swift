import ArgumentParser
import Foundation

/// `sscl sweep SWEEP.json`: POST /v1/sweeps (issue 10's sweep document).
struct SweepCommand: ClientCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Submit a hyperparameter sweep to a running server.",
        discussion: """
            Prints the sweep's id and status; with --dry-run, the server's trial list as JSON. With --wait, polls the \
            sweep every 2 s until it ends, then prints its leaderboard (exit 0 finished, 1 cancelled); Ctrl-C stops \
            waiting, not the sweep.
            """
    )

    @Argument(help: ArgumentHelp("The sweep document (- for stdin).", valueName: "SWEEP.json")) var file: String
    @Flag(help: "Validate and expand only (the server's dry_run): prints the trial list.") var dryRun = false
    @Flag(help: "Wait for the sweep to end, then print its leaderboard (exit 0 finished, 1 cancelled).") var wait = false
    @OptionGroup var options: ClientOptions

    /// The fields of the created sweep the command prints.
    struct Created: Decodable {
        var id: String
        var status: String?
        var name: String?
    }

    func run(with client: APIClient) throws {
        let body = try readDocument(file)
        if dryRun {
            let response = try client.send(client.request("POST", "/v1/sweeps", query: [URLQueryItem(name: "dry_run", value: "true")], body: body))
            try APIClient.check(response, request: "POST /v1/sweeps?dry_run=true")
            print(String(decoding: response.body, as: UTF8.self))
            return
        }
        let sweep = try client.call(Created.self, "POST", "/v1/sweeps", body: body)
        print([sweep.id, sweep.status].compactMap { $0 }.joined(separator: " "))
        guard wait else { return }
        try Self.wait(for: sweep.id, client: client)
    }

    /// Polls the sweep to its end and prints it with its leaderboard; on SIGINT says how to look
    /// again and exits 130 (the shell's status for an interrupted command).
    static func wait(for id: String, client: APIClient) throws {
        guard let final = try SweepWatcher(client: client, id: id).run() else {
            FileHandle.standardError.write(Data("""
                stopped waiting; the sweep \(id) continues on the server.
                look again with `sscl status \(id)`, stop it with `sscl cancel \(id)`.

                """.utf8))
            throw ExitCode(130)
        }
        print(final.details, terminator: "")
        throw final.exitCode
    }
}
