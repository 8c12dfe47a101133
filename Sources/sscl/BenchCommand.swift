import ArgumentParser
import Foundation
import SSCLEngine

/// `sscl bench`: times full training steps on the shapes of shared/reference/torch_bench.py.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time training steps (forward, loss, backward, SGD) on fixed random input.",
        discussion: "Prints one JSON line per configuration with --json, a table otherwise. Build with -c release."
    )

    @Option(help: "Encoder: mlp or cnn (default: both).") var model: [String] = []
    @Option(help: "Loss: ntxent, dcl, hcl or sscl (default: ntxent and sscl).") var loss: [String] = []
    @Option(help: "OpenBLAS threads (default: 1 and 2).") var threads: [Int] = []
    @Option(help: "Timed steps per configuration.") var steps: Int = 20
    @Option(help: "Untimed warm-up steps.") var warmup: Int = 3
    @Option(help: "Inputs per batch (2x views).") var batch: Int = 256
    @Flag(help: "One JSON object per line.") var json = false
    @Flag(help: "Print where each configuration's step time goes, layer by layer.") var profile = false
    @Flag(help: "Time the false-negative diagnostics against the step (their cost at eval.diagnostics_every).")
    var diagnostics = false

    func validate() throws {
        for m in model where EncoderKind(rawValue: m) == nil { throw ValidationError("unknown model \(m); use mlp or cnn") }
        for l in loss where LossKind(rawValue: l) == nil { throw ValidationError("unknown loss \(l)") }
        if threads.contains(where: { $0 < 1 || $0 > 64 }) { throw ValidationError("threads must be in 1...64") }
        if steps < 1 || batch < 2 { throw ValidationError("steps must be >= 1 and batch >= 2") }
    }

    func run() throws {
        let models = model.isEmpty ? [EncoderKind.mlp, .cnn] : model.compactMap(EncoderKind.init)
        let losses = loss.isEmpty ? [LossKind.ntxent, .sscl] : loss.compactMap(LossKind.init)
        let threadCounts = threads.isEmpty ? [1, 2] : threads
        if profile {
            for m in models { for l in losses { for t in threadCounts { printProfile(m, l, t) } } }
            return
        }
        if diagnostics {
            Self.emit("model loss   threads batch step_ms(median) diagnostics_ms(median) per_call overhead_at_every_\(EvalSpec.defaultDiagnosticsEvery)")
            for m in models { for l in losses { for t in threadCounts { printDiagnosticsCost(m, l, t) } } }
            return
        }
        if !json { Self.emit("model loss   threads batch step_ms(median) images/s  GFLOPS of_sgemm peak_rss_mb") }
        var sgemmRates: [Int: Double] = [:]
        for m in models {
            for l in losses {
                for t in threadCounts {
                    let sgemm = sgemmRates[t] ?? StepBenchmark.sgemmGFLOPS(threads: t)
                    sgemmRates[t] = sgemm
                    let report = StepBenchmark(model: m, loss: l, threads: t, batch: batch).run(warmup: warmup, steps: steps)
                    let rss = Self.peakRSSMegabytes()
                    if json {
                        let object: [String: Any] = [
                            "impl": "sscl", "model": m.rawValue, "loss": l.rawValue, "threads": t, "batch": batch,
                            "step_ms_median": report.medianMilliseconds, "images_per_s": report.imagesPerSecond,
                            "gflops": report.gflops, "gflop_per_step": report.flopsPerStep / 1e9,
                            "peak_rss_mb": rss, "steps": steps, "blas_core": BLAS.coreName,
                            "sgemm_gflops": sgemm, "gemm_floor_ms": report.flopsPerStep / sgemm / 1e6,
                        ]
                        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
                        Self.emit(String(decoding: data, as: UTF8.self))
                    } else {
                        Self.emit(String(format: "%-5@ %-6@ %7d %5d %15.2f %9.0f %7.1f %7.0f%% %11.0f", m.rawValue, l.rawValue, t,
                                         batch, report.medianMilliseconds, report.imagesPerSecond, report.gflops,
                                         100 * report.gflops / sgemm, rss))
                    }
                }
            }
        }
    }

    private func printProfile(_ model: EncoderKind, _ loss: LossKind, _ threads: Int) {
        let p = StepBenchmark(model: model, loss: loss, threads: threads, batch: batch).profile(warmup: warmup, steps: steps)
        Self.emit("\(model.rawValue) / \(loss.rawValue) / \(threads) thread(s): \(String(format: "%.1f", p.totalMilliseconds)) ms per step")
        let sgemm = StepBenchmark.sgemmGFLOPS(threads: threads)
        Self.emit("  stage                                   forward ms  backward ms  GFLOPS  of sgemm (\(String(format: "%.0f", sgemm)) GFLOPS)")
        for e in p.entries {
            let rate = e.gflops.map { String(format: "%8.1f  %7.0f%%", $0, 100 * $0 / sgemm) } ?? ""
            Self.emit("  " + e.name.padding(toLength: 40, withPad: " ", startingAt: 0)
                      + String(format: "%10.2f %12.2f", e.forwardMilliseconds, e.backwardMilliseconds) + rate)
        }
    }

    private func printDiagnosticsCost(_ model: EncoderKind, _ loss: LossKind, _ threads: Int) {
        let cost = StepBenchmark(model: model, loss: loss, threads: threads, batch: batch).diagnosticsCost(warmup: warmup, steps: steps)
        Self.emit(String(format: "%-5@ %-6@ %7d %5d %15.2f %22.3f %7.1f%% %8.2f%%", model.rawValue, loss.rawValue, threads, batch,
                         cost.medianStepMilliseconds, cost.medianDiagnosticsMilliseconds, 100 * cost.overhead(every: 1),
                         100 * cost.overhead(every: EvalSpec.defaultDiagnosticsEvery)))
    }

    /// Writes a line at once (print buffers when stdout is a pipe).
    static func emit(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// Peak resident memory of this process so far (Linux reports ru_maxrss in KiB).
    static func peakRSSMegabytes() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_maxrss) / 1024
    }
}
