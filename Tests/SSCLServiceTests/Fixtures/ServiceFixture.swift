import Foundation
import Logging
@testable import SSCLService

/// A real `TrainingService` on a free port of 127.0.0.1 with a temporary database, data and
/// runs folder, workers from the `sscl` binary this package builds.
final class ServiceFixture: @unchecked Sendable {
    let root: URL
    let service: TrainingService
    var port: Int { service.port }
    var base: String { "http://127.0.0.1:\(port)" }

    static var repository: URL {
        URL(fileURLWithPath: #filePath)  // Tests/SSCLServiceTests/Fixtures/this file
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    init(token: String? = nil, maxConcurrentJobs: Int = 1, headerTimeout: Double = 10,
         configure: (inout ServiceConfiguration) -> Void = { _ in }) throws {
        root = try TestBinary.temporaryDirectory()
        var configuration = ServiceConfiguration(dataDirectory: root.appendingPathComponent("data"))
        configuration.port = 0
        configuration.token = token
        configuration.publicDirectory = Self.repository.appendingPathComponent("Public")
        configuration.headerTimeout = headerTimeout
        configure(&configuration)
        var scheduler = JobScheduler.Configuration(
            executable: TestBinary.sscl, runsDirectory: root.appendingPathComponent("runs"),
            dataDirectory: configuration.dataDirectory, maxConcurrentJobs: maxConcurrentJobs)
        scheduler.stopGracePeriod = 10
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        service = try TrainingService(
            configuration: configuration, scheduler: scheduler,
            databasePath: root.appendingPathComponent("sscl.db").path,
            migrations: Self.repository.appendingPathComponent("migrations"), logger: logger)
        try service.start()
    }

    func stop() {
        service.shutdown()
        try? FileManager.default.removeItem(at: root)
    }

    /// A tiny job on the shipped fashion-mnist-mini (a second or two).
    static func tinyJob(name: String = "tiny", epochs: Int = 2, extra: String = "") -> String {
        """
        {"name": "\(name)", "dataset": {"name": "fashion-mnist-mini", "train_limit": 128},
         "model": {"hidden": [32], "projection": [16, 8]}, "loss": {"kind": "sscl", "hard_pool": 8, "synthetic": 4},
         "epochs": \(epochs), "batch_size": 32, "eval": {"knn_k": 10, "linear_probe": false}\(extra)}
        """
    }
}
