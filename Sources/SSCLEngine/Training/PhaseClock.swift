import Foundation

/// Wall and CPU time of the consecutive phases of one piece of work, for a log line such as
/// "kNN 4.10 s (cpu 7.90 s)": where an evaluation's seconds went. The CPU time (all of the
/// process's threads) tells the work from the waiting on a machine shared with others.
struct PhaseClock {
    private var last = Date()
    private var lastCPU = PhaseClock.processCPUSeconds()
    private var phases: [(name: String, seconds: Double, cpu: Double)] = []

    /// Ends the current phase under `name` and starts the next.
    mutating func lap(_ name: String) {
        let now = Date(), cpu = Self.processCPUSeconds()
        phases.append((name, now.timeIntervalSince(last), cpu - lastCPU))
        last = now
        lastCPU = cpu
    }

    var summary: String {
        phases.map { "\($0.name) " + String(format: "%.2f s (cpu %.2f s)", $0.seconds, $0.cpu) }.joined(separator: ", ")
    }

    static func processCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }
}
