import Foundation
import Testing
@testable import SSCLEngine

/// Optimisers against independent float64 re-statements of their update rules (as written in
/// PyTorch's documentation), plus convergence on a quadratic and exact state round trips.
@Suite struct OptimizerTests {
    /// f(w) = 0.5 * sum (w - target)^2, so grad = w - target.
    private func quadraticGrad(_ p: Parameter, target: [Float]) {
        for j in 0..<p.count { p.grad[j] = p.value[j] - target[j] }
    }

    @Test func sgdMatchesTorchRuleWithMomentumDecayAndNesterov() {
        for nesterov in [false, true] {
            let p = Parameter(name: "w", shape: [3], value: [1, -2, 0.5], decays: true)
            let sgd = SGD(parameters: [p], momentum: 0.9, weightDecay: 0.01, nesterov: nesterov)
            var w: [Double] = [1, -2, 0.5]
            var buf: [Double] = [0, 0, 0]
            let target: [Float] = [0.3, 0.1, -0.2]
            for step in 0..<5 {
                quadraticGrad(p, target: target)
                sgd.step(lr: 0.1)
                for j in 0..<3 {
                    let g = (w[j] - Double(target[j])) + 0.01 * w[j]
                    buf[j] = step == 0 ? g : 0.9 * buf[j] + g
                    let d = nesterov ? g + 0.9 * buf[j] : buf[j]
                    w[j] -= 0.1 * d
                }
            }
            for j in 0..<3 { #expect(abs(Double(p.value[j]) - w[j]) < 1e-5) }
        }
    }

    /// A parameter big enough to be split over threads (and an odd size, so the ranges are
    /// uneven) follows the same rule, with and without momentum and Nesterov.
    @Test(arguments: [(0.0, false), (0.9, false), (0.9, true)])
    func sgdSplitOverThreadsMatchesTheRule(momentum: Double, nesterov: Bool) {
        BLAS.setThreads(2)
        defer { BLAS.setThreads(1) }
        let count = 2 * SGD.minimumRange + 3
        var rng = SeededGenerator(seed: 11)
        let start = (0..<count).map { _ in rng.uniform(-1, 1) }
        let p = Parameter(name: "w", shape: [count], value: start, decays: true)
        let sgd = SGD(parameters: [p], momentum: Float(momentum), weightDecay: 0.01, nesterov: nesterov)
        var w = start.map(Double.init), buf = [Double](repeating: 0, count: count)
        for step in 0..<3 {
            for j in 0..<count { p.grad[j] = Float(j % 7) * 0.1 - p.value[j] }
            let grads = p.grad.map(Double.init)
            sgd.step(lr: 0.1)
            for j in 0..<count {
                let g = grads[j] + 0.01 * w[j]
                var d = g
                if momentum != 0 {
                    buf[j] = step == 0 ? g : momentum * buf[j] + g
                    d = nesterov ? g + momentum * buf[j] : buf[j]
                }
                w[j] -= 0.1 * d
            }
        }
        let worst = (0..<count).map { abs(Double(p.value[$0]) - w[$0]) }.max()!
        #expect(worst < 1e-5)
    }

    @Test func weightDecaySkipsParametersThatDoNotDecay() {
        let bias = Parameter(name: "b", shape: [1], value: [2], decays: false)
        let sgd = SGD(parameters: [bias], momentum: 0, weightDecay: 0.5)
        bias.grad = [0]
        sgd.step(lr: 1)
        #expect(bias.value == [2])
    }

    @Test func adamWMatchesTorchRule() {
        let p = Parameter(name: "w", shape: [2], value: [1, -1], decays: true)
        let opt = AdamW(parameters: [p], beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1)
        var w: [Double] = [1, -1]
        var m: [Double] = [0, 0]
        var v: [Double] = [0, 0]
        let target: [Float] = [0.5, 0.25]
        for t in 1...6 {
            quadraticGrad(p, target: target)
            opt.step(lr: 0.01)
            for j in 0..<2 {
                let g = w[j] - Double(target[j])
                w[j] *= 1 - 0.01 * 0.1
                m[j] = 0.9 * m[j] + 0.1 * g
                v[j] = 0.999 * v[j] + 0.001 * g * g
                let mh = m[j] / (1 - pow(0.9, Double(t)))
                let vh = v[j] / (1 - pow(0.999, Double(t)))
                w[j] -= 0.01 * mh / (vh.squareRoot() + 1e-8)
            }
        }
        for j in 0..<2 { #expect(abs(Double(p.value[j]) - w[j]) < 1e-5) }
    }

    @Test(arguments: OptimizerKind.allCases)
    func everyOptimizerMinimisesAQuadratic(kind: OptimizerKind) {
        var rng = SeededGenerator(seed: 3)
        let p = Parameter(name: "w", shape: [16], value: (0..<16).map { _ in rng.uniform(-2, 2) }, decays: true)
        let target = (0..<16).map { _ in rng.uniform(-1, 1) }
        var spec = OptimizerSpec.defaults(for: kind)
        spec.weightDecay = 0
        let opt = makeOptimizer(spec, parameters: [p])
        let lr: Float = kind == .adamw ? 0.05 : (kind == .lars ? 50 : 0.1)
        func distance() -> Float { zip(p.value, target).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) }
        let start = distance()
        for _ in 0..<300 {
            quadraticGrad(p, target: target)
            opt.step(lr: lr)
        }
        #expect(distance() < start * 1e-3)
    }

    @Test(arguments: OptimizerKind.allCases)
    func stateRoundTripContinuesIdentically(kind: OptimizerKind) {
        let target: [Float] = [0.2, -0.4, 0.9]
        func make() -> (Parameter, Optimizer) {
            let p = Parameter(name: "w", shape: [3], value: [1, 1, 1], decays: true)
            return (p, makeOptimizer(.defaults(for: kind), parameters: [p]))
        }
        let (p1, o1) = make()
        for _ in 0..<3 { quadraticGrad(p1, target: target); o1.step(lr: 0.05) }
        let (p2, o2) = make()
        p2.value = p1.value
        o2.state = o1.state
        for _ in 0..<3 {
            quadraticGrad(p1, target: target); o1.step(lr: 0.05)
            quadraticGrad(p2, target: target); o2.step(lr: 0.05)
        }
        #expect(p1.value == p2.value)
    }
}
