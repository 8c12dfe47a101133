import Testing
@testable import SSCLEngine

@Suite struct StepBenchmarkTests {
    @Test func mlpFlopsFollowFromTheShapes() {
        let report = StepBenchmark(model: .mlp, loss: .ntxent, threads: 1, batch: 4).run(warmup: 0, steps: 2)
        let views = 8.0
        // First layer: forward + dWeight only (no dX); the others forward + dX + dWeight.
        let linear = 2 * views * (784 * 512 * 2 + 512 * 512 * 3 + 512 * 512 * 3 + 512 * 128 * 3)
        let loss = 2 * 2 * views * views * 128
        #expect(report.flopsPerStep == linear + loss)
        #expect(report.stepMilliseconds.count == 2)
        #expect(report.stepMilliseconds.allSatisfy { $0 > 0 })
        #expect(report.gflops > 0)
    }

    @Test func medianOfTimes() {
        var r = StepBenchmark.Report(model: .mlp, loss: .sscl, threads: 1, batch: 2, stepMilliseconds: [5, 1, 3], flopsPerStep: 1e9)
        #expect(r.medianMilliseconds == 3)
        r.stepMilliseconds = [4, 1, 3, 2]
        #expect(r.medianMilliseconds == 2.5)
        #expect(abs(r.imagesPerSecond - 800) < 1e-9)
    }

    @Test func profileNamesEveryLayerTheLossAndTheOptimizer() {
        let p = StepBenchmark(model: .cnn, loss: .sscl, threads: 1, batch: 4).profile(warmup: 0, steps: 1)
        let names = p.entries.map(\.name)
        #expect(names.first == "encoder Conv2D 1->32 k3 s1 +ReLU")
        #expect(names.contains("encoder GlobalAveragePool"))
        #expect(names.contains("head Linear 128->512"))
        #expect(names.suffix(2) == ["loss sscl (forward+backward)", "optimizer step"])
        #expect(p.entries.allSatisfy { $0.forwardMilliseconds >= 0 && $0.backwardMilliseconds >= 0 })
        #expect(p.totalMilliseconds >= p.entries.map { $0.forwardMilliseconds + $0.backwardMilliseconds }.reduce(0, +) * 0.5)
    }

    /// Each stage's GEMM FLOPs come from its own shapes and add up to the step's count.
    @Test func profileFlopsPerStageAddUpToTheStep() {
        let bench = StepBenchmark(model: .cnn, loss: .ntxent, threads: 1, batch: 4)
        let p = bench.profile(warmup: 0, steps: 1)
        let views = 8.0
        let first = p.entries[0]
        // conv 1->32 at 28x28: forward 2 * views * 784 * 32 * 9; backward dWeight only.
        #expect(first.forwardFlops == 2 * views * 784 * 32 * 9)
        #expect(first.backwardFlops == first.forwardFlops)
        let second = p.entries[1]  // 32->64 stride 2: 14x14 outputs, with dX
        #expect(second.forwardFlops == 2 * views * 196 * 64 * 32 * 9)
        #expect(second.backwardFlops == 2 * second.forwardFlops)
        #expect(p.entries.first { $0.name == "encoder GlobalAveragePool" }?.gflops == nil)
        let report = bench.run(warmup: 0, steps: 1)
        let lossFlops = 2 * 2 * views * views * 128
        let stages = p.entries.map { $0.forwardFlops + $0.backwardFlops }.reduce(0, +)
        #expect(stages + lossFlops == report.flopsPerStep)
    }

    @Test func sgemmRateIsMeasured() {
        let rate = StepBenchmark.sgemmGFLOPS(threads: 1, repeats: 1)
        #expect(rate.isFinite && rate > 0.1)
    }
}
