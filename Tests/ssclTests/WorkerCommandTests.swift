import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `sscl worker` runs below the server's priority, on every one of its threads.
@Suite struct WorkerCommandTests {
    /// Each thread of `pid`: its nice value and CPU ticks so far (fields 19 and 14 + 15 of
    /// /proc/PID/task/TID/stat).
    static func threads(_ pid: Int32) -> [(nice: Int, ticks: Int)] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        return tasks.compactMap { tid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/task/\(tid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return nil }
            // Fields after the command name start at field 3 (state); nice is field 19.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 16, let nice = Int(fields[16]), let user = Int(fields[11]), let system = Int(fields[12])
            else { return nil }
            return (nice, user + system)
        }
    }

    @Test func everyWorkerThreadRunsFiveNiceStepsBelowItsParent() throws {
        #if os(Linux)
        let dir = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let job = try TrainCommandTests.writeJob(dir, epochs: 500, extra: #", "threads": 2"#)
        let worker = try CommandRunner.start(["worker", "--job", job.path, "--dir", dir.appendingPathComponent("run").path])
        defer {
            worker.process.terminate()
            worker.process.waitUntilExit()
        }
        // Wait until it trains (its BLAS threads exist): the first step event.
        var seen = ""
        while !seen.contains(#""type":"step""#) {
            let chunk = worker.outPipe.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen += String(decoding: chunk, as: UTF8.self)
        }
        #expect(seen.contains(#""type":"step""#), "the worker trained: \(seen.prefix(300))")
        Thread.sleep(forTimeInterval: 1)  // CPU time to weigh
        let parent = Int(getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0))
        let threads = Self.threads(worker.process.processIdentifier)
        #expect(threads.count >= 2, "threads: \(threads)")
        // The main thread trains; OpenBLAS's threads (started before main) share the GEMMs.
        // Dispatch's own threads may carry their QoS priority; they do no training, so the
        // check weighs threads by the CPU they used: nearly all of it must be at parent + 5.
        let lowered = threads.filter { $0.nice == min(parent + 5, 19) }.reduce(0) { $0 + $1.ticks }
        let total = threads.reduce(0) { $0 + $1.ticks }
        #expect(total > 0 && Double(lowered) >= 0.95 * Double(total), "parent \(parent), worker threads \(threads)")
        #endif
    }
}
