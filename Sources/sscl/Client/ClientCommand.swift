import ArgumentParser
import Foundation

/// What every client command shares: its errors printed (the server's message and one line per
/// invalid field) on stderr with exit status 1, instead of ArgumentParser's generic report.
protocol ClientCommand: ParsableCommand {
    var options: ClientOptions { get }
    func run(with client: APIClient) throws
}

extension ClientCommand {
    func run() throws {
        let client = try options.client()
        do {
            try run(with: client)
        } catch let error as ClientError {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            throw ExitCode.failure
        }
    }

    /// Reads a JSON document from a file, or stdin for "-".
    func readDocument(_ path: String) throws -> Data {
        if path == "-" { return FileHandle.standardInput.readDataToEndOfFile() }
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ClientError.local("cannot read \(path): \((error as NSError).localizedDescription)")
        }
    }
}
