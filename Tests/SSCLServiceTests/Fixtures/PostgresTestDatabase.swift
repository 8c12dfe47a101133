import Foundation

/// A database of its own on the test PostgreSQL server named by `SSCL_TEST_POSTGRES_URL`
/// (`scripts/postgres.sh start`), created with `psql` and dropped by `drop()`.
struct PostgresTestDatabase {
    let url: String
    let name: String
    let adminURL: String

    /// The server's URL; nil when the tests run without PostgreSQL.
    static var serverURL: String? {
        ProcessInfo.processInfo.environment["SSCL_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// True when the run must include the PostgreSQL tests (CI): a missing server is a failure.
    static var required: Bool { ProcessInfo.processInfo.environment["SSCL_REQUIRE_POSTGRES"] == "1" }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    init() throws {
        guard let admin = Self.serverURL else { throw Failure(description: "SSCL_TEST_POSTGRES_URL is not set") }
        adminURL = admin
        name = "sscl_nodes_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        guard var components = URLComponents(string: admin) else { throw Failure(description: "bad SSCL_TEST_POSTGRES_URL") }
        components.path = "/" + name
        guard let url = components.string else { throw Failure(description: "bad SSCL_TEST_POSTGRES_URL") }
        self.url = url
        try Self.psql(admin, "CREATE DATABASE \(name)")
    }

    func drop() {
        _ = try? Self.psql(adminURL, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    /// Runs `sql` with `psql` and returns its unaligned, tuples-only output (`|` between columns).
    @discardableResult
    static func psql(_ url: String, _ sql: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", url, "-c", sql]
        // Files, not pipes: a read of a pipe interrupted by a signal traps in Foundation.
        let outFile = FileManager.default.temporaryDirectory.appendingPathComponent("psql-\(UUID().uuidString).out")
        let errFile = FileManager.default.temporaryDirectory.appendingPathComponent("psql-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: outFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errFile.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outFile)
            try? FileManager.default.removeItem(at: errFile)
        }
        process.standardOutput = try FileHandle(forWritingTo: outFile)
        process.standardError = try FileHandle(forWritingTo: errFile)
        try process.run()
        process.waitUntilExit()
        let data = (try? Data(contentsOf: outFile)) ?? Data()
        let errors = (try? Data(contentsOf: errFile)) ?? Data()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "psql failed on \(sql): \(String(decoding: errors, as: UTF8.self))")
        }
        return String(decoding: data, as: UTF8.self)
    }

    func query(_ sql: String) throws -> [[String]] {
        try Self.psql(url, sql).split(separator: "\n").map { $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init) }
    }
}
