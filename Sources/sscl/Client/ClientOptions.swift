import ArgumentParser
import Foundation

/// `--server` and `--token`, shared by every client command.
struct ClientOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The server's base URL (default: SSCL_SERVER or http://127.0.0.1:8080).", valueName: "URL"))
    var server: String?
    @Option(help: "Sent as Authorization: Bearer (default: SSCL_TOKEN).") var token: String?

    /// A client for the chosen server; a malformed URL is a usage error.
    func client() throws -> APIClient {
        let environment = ProcessInfo.processInfo.environment
        let text = server ?? environment["SSCL_SERVER"].flatMap { $0.isEmpty ? nil : $0 } ?? "http://127.0.0.1:8080"
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              url.host != nil else {
            throw ValidationError("--server must be an http(s) URL such as http://127.0.0.1:8080, not \(text)")
        }
        let bearer = token ?? environment["SSCL_TOKEN"]
        return APIClient(base: url, token: bearer?.isEmpty == true ? nil : bearer)
    }
}
