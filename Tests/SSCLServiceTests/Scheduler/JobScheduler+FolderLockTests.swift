import Foundation
import Logging
import Testing
@testable import SSCLService
import SSCLStore

/// A worker outlives a kill -9 of its server until it has checkpointed; the next server must
/// not start a second worker in the same folder meanwhile. The worker inherits the folder's
/// lock, so the lock lasts exactly as long as it does.
@Suite struct JobSchedulerFolderLockTests {
    @Test func aJobWaitsWhileAnEarlierWorkerHoldsItsFolderAndItsWorkerHoldsTheLock() throws {
        let root = try TestBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let runs = root.appendingPathComponent("runs")
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let store = try JobStore(path: root.appendingPathComponent("db.sqlite").path,
                                 migrations: ServiceFixture.repository.appendingPathComponent("migrations"), logger: logger)
        guard case let .created(job) = try store.createJob(
            name: "j", priority: 0, maxRestarts: 0, submittedJSON: "{}", resolvedJSON: #"{"name":"j"}"#)
        else { Issue.record("not created"); return }
        let folder = runs.appendingPathComponent(job.id)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let lockPath = folder.appendingPathComponent(JobScheduler.workerLockFileName).path
        // This process stands for the earlier worker.
        var earlier: InstanceLock? = try InstanceLock(path: lockPath, guarding: "test")

        let started = root.appendingPathComponent("started.txt")
        let worker = root.appendingPathComponent("fake-sscl")
        try Data("#!/bin/sh\necho \"$5\" >> '\(started.path)'\nexec sleep 60\n".utf8).write(to: worker)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: worker.path)
        let scheduler = JobScheduler(configuration: .init(executable: worker, runsDirectory: runs, dataDirectory: nil),
                                     store: store, logger: logger)
        try scheduler.start()
        defer { scheduler.shutdown() }

        func logLines() throws -> [String] { try store.logs(jobID: job.id, limit: 20).map(\.line) }
        let told = try poll(10) { try logLines().contains { $0.contains("a worker of an earlier server (pid \(getpid())) still runs") } }
        #expect(told, "\((try? logLines()) ?? [])")
        Thread.sleep(forTimeInterval: 1)
        #expect(try store.job(id: job.id)?.status == .queued)
        #expect(!FileManager.default.fileExists(atPath: started.path), "no second worker while the first holds the folder")

        _ = earlier
        earlier = nil  // the earlier worker ends
        #expect(try poll(10) { try store.job(id: job.id)?.status == .running && FileManager.default.fileExists(atPath: started.path) })
        let pid = try #require(scheduler.queue.sync { scheduler.running[job.id]?.worker.pid })
        // The worker holds the lock itself (its fd 3), so the lock outlives a killed server.
        let fd3 = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/3")
        #expect(fd3 == lockPath)
        let held = try #require(throws: InstanceLock.HeldError.self) { _ = try InstanceLock(path: lockPath, guarding: "test") }
        #expect(held.holderPID == pid)

        _ = try scheduler.cancel(id: job.id)
        #expect(try poll(10) { try store.job(id: job.id)?.status == .cancelled })
        #expect(poll(10) { (try? InstanceLock(path: lockPath, guarding: "test")) != nil }, "released with the worker")
    }
}

/// Checks `condition` every 20 ms until it holds or `seconds` pass.
private func poll(_ seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        Thread.sleep(forTimeInterval: 0.02)
    }
    return try condition()
}
