import Foundation
import Logging
@testable import SSCLStore

/// A folder under the system temp dir, removed when the last reference goes.
final class TemporaryDirectory: Sendable {
    let url: URL

    init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("sscl-store-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func file(_ name: String) -> URL { url.appendingPathComponent(name) }
}

extension JobStore {
    /// The package's own `migrations/` folder.
    static let repositoryMigrations = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("migrations")

    static let silentLogger = Logger(label: "sscl.store.tests") { _ in SwiftLogNoOpLogHandler() }

    /// A store on `jobs.sqlite` in `directory`, with the real migrations.
    static func make(in directory: TemporaryDirectory, clock: @escaping @Sendable () -> Date = { Date() }) throws -> JobStore {
        try JobStore(path: directory.file("jobs.sqlite").path, migrations: repositoryMigrations, logger: silentLogger, clock: clock)
    }

    /// Creates a job with small valid documents; fails the test on anything but `.created`.
    func makeJob(name: String = "job", priority: Int = 0, maxRestarts: Int = 2) throws -> JobRecord {
        let outcome = try createJob(
            name: name, priority: priority, maxRestarts: maxRestarts,
            submittedJSON: #"{"name":"\#(name)"}"#, resolvedJSON: #"{"name":"\#(name)","epochs":1}"#)
        guard case .created(let job) = outcome else { throw StoreError.jobNotFound(name) }
        return job
    }
}
