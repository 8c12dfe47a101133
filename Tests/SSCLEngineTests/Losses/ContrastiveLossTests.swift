import Foundation
import Testing
@testable import SSCLEngine

@Suite struct ContrastiveLossTests {
    /// A named loss configuration for parameterised tests.
    struct Setting: Sendable, CustomTestStringConvertible {
        let label: String
        let spec: LossSpec
        var testDescription: String { label }
    }

    static func spec(
        _ kind: LossKind, t: Float = 0.5, tau: Float = 0.1, beta: Float = 1,
        s: Int = 0, k: Int = 0, mixing: MixingMode = .pair
    ) -> LossSpec {
        var spec = LossSpec.defaults(for: kind)
        spec.temperature = t
        if kind != .ntxent {
            spec.tauPlus = tau
            spec.beta = beta
            spec.hardPool = s
            spec.synthetic = k
            spec.mixing = mixing
        }
        return spec
    }

    static let settings: [Setting] = [
        Setting(label: "ntxent", spec: spec(.ntxent)),
        Setting(label: "dcl", spec: spec(.dcl, beta: 0)),
        Setting(label: "hcl", spec: spec(.hcl)),
        Setting(label: "hcl beta 2.5 t 0.2", spec: spec(.hcl, t: 0.2, beta: 2.5)),
        Setting(label: "sscl pair", spec: spec(.sscl, tau: 0.05, s: 3, k: 2)),
        Setting(label: "sscl copy", spec: spec(.sscl, s: 3, k: 2, mixing: .copy)),
        Setting(label: "sscl anchor", spec: spec(.sscl, s: 3, k: 3, mixing: .anchor)),
        Setting(label: "sscl pair beta 0 tau 0", spec: spec(.sscl, tau: 0, beta: 0, s: 4, k: 2)),
        Setting(label: "sscl pair beta 3 t 0.25", spec: spec(.sscl, t: 0.25, beta: 3, s: 2, k: 4)),
        Setting(label: "dcl clamped", spec: spec(.dcl, tau: 0.9, beta: 0)),
    ]

    static func randomEmbeddings(rows: Int, dim: Int, seed: UInt64) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        return Tensor(shape: [rows, dim], data: (0..<(rows * dim)).map { _ in rng.normal() })
    }

    /// Runs the float32 loss with an explicit plan and the float64 reference on the same data.
    static func compare(_ spec: LossSpec, batch: Int, dim: Int, seed: UInt64)
        -> (loss: Float, grad: [Double], referenceLoss: Double, referenceGrad: [Double], clamped: Float)
    {
        let rows = 2 * batch
        let e = randomEmbeddings(rows: rows, dim: dim, seed: seed)
        let e64 = e.data.map(Double.init)
        var rng = SeededGenerator(seed: seed + 1)
        let k = spec.kind == .ntxent ? 0 : spec.synthetic
        let plan = k > 0
            ? MixingPlan.draw(rows: rows, synthetic: k, hardPool: spec.hardPool, mixing: spec.mixing, rng: &rng)
            : nil
        let hard = k > 0 ? ReferenceContrastiveLoss.hardLists(e64, rows: rows, dim: dim, pool: spec.hardPool) : []
        let synthetic = plan.map {
            ReferenceContrastiveLoss.syntheticVectors(e64, rows: rows, dim: dim, spec: spec, plan: $0, hard: hard)
        } ?? []
        let f = { (x: [Double]) in
            ReferenceContrastiveLoss.loss(x, rows: rows, dim: dim, spec: spec, synthetic: synthetic)
        }
        let loss = ContrastiveLoss(spec: spec)
        let result = loss.forwardBackward(embeddings: e, plan: plan, rng: &rng)
        if k > 0 { #expect(loss.lastHardIndices == hard) }
        return (result.loss, result.dEmbeddings.data.map(Double.init), f(e64),
                LossFiniteDifference.gradient(of: f, at: e64), loss.lastDiagnostics.clampedFraction)
    }

    @Test(arguments: settings)
    func gradientMatchesFiniteDifferencesOfTheFloat64Loss(setting: Setting) {
        let r = Self.compare(setting.spec, batch: 3, dim: 5, seed: 11)
        #expect(abs(Double(r.loss) - r.referenceLoss) / r.referenceLoss < 1e-5, "\(setting.label) loss")
        let error = LossFiniteDifference.relativeError(r.grad, r.referenceGrad)
        #expect(error < 1e-3, "\(setting.label): gradient relative error \(error)")
        if setting.label == "dcl clamped" { #expect(r.clamped > 0, "the clamp branch must be exercised") }
    }

    @Test func identicalEmbeddingsGiveLogOfTwoBMinusOne() {
        let batch = 5
        let row: [Float] = [0.3, -1.2, 2.0, 0.7]
        let e = Tensor(shape: [2 * batch, 4], data: Array((0..<(2 * batch)).map { _ in row }.joined()))
        var rng = SeededGenerator(seed: 1)
        let result = ContrastiveLoss(spec: LossSpec.defaults(for: .ntxent)).forwardBackward(embeddings: e, rng: &rng)
        #expect(abs(result.loss - logf(Float(2 * batch - 1))) < 1e-5)
        #expect(result.dEmbeddings.data.allSatisfy { abs($0) < 1e-5 })
    }

    @Test func dclWithoutDebiasingIsNTXent() {
        let e = Self.randomEmbeddings(rows: 12, dim: 7, seed: 3)
        var rng = SeededGenerator(seed: 0)
        let ntxent = ContrastiveLoss(spec: Self.spec(.ntxent)).forwardBackward(embeddings: e, rng: &rng)
        let dcl = ContrastiveLoss(spec: Self.spec(.dcl, tau: 0, beta: 0)).forwardBackward(embeddings: e, rng: &rng)
        #expect(abs(ntxent.loss - dcl.loss) < 1e-5 * ntxent.loss)
        let error = LossFiniteDifference.relativeError(dcl.dEmbeddings.data.map(Double.init),
                                                       ntxent.dEmbeddings.data.map(Double.init))
        #expect(error < 1e-5)
    }

    @Test func hclWithBetaZeroIsDCL() {
        let e = Self.randomEmbeddings(rows: 12, dim: 7, seed: 4)
        var rng = SeededGenerator(seed: 0)
        let dcl = ContrastiveLoss(spec: Self.spec(.dcl, beta: 0)).forwardBackward(embeddings: e, rng: &rng)
        let hcl = ContrastiveLoss(spec: Self.spec(.hcl, beta: 0)).forwardBackward(embeddings: e, rng: &rng)
        #expect(dcl.loss == hcl.loss)
        #expect(dcl.dEmbeddings == hcl.dEmbeddings)
    }

    @Test func largeBetaAndSmallTemperatureStayFiniteAndExact() {
        // Unshifted, e^((1 + beta) / t) = e^90 overflows float32.
        let spec = Self.spec(.sscl, t: 0.1, tau: 0.05, beta: 8, s: 4, k: 4)
        let r = Self.compare(spec, batch: 4, dim: 3, seed: 21)
        #expect(r.loss.isFinite)
        #expect(r.grad.allSatisfy { $0.isFinite })
        #expect(abs(Double(r.loss) - r.referenceLoss) / r.referenceLoss < 1e-4)
        #expect(LossFiniteDifference.relativeError(r.grad, r.referenceGrad) < 1e-3)
    }

    @Test func drawnPlanIsTheSameAsMixingPlanDraw() {
        let spec = Self.spec(.sscl, s: 4, k: 3)
        let e = Self.randomEmbeddings(rows: 10, dim: 6, seed: 5)
        var drawing = SeededGenerator(seed: 99)
        let plan = MixingPlan.draw(rows: 10, synthetic: 3, hardPool: 4, mixing: .pair, rng: &drawing)
        var unused = SeededGenerator(seed: 0)
        let explicit = ContrastiveLoss(spec: spec).forwardBackward(embeddings: e, plan: plan, rng: &unused)
        var rng = SeededGenerator(seed: 99)
        let drawn = ContrastiveLoss(spec: spec).forwardBackward(embeddings: e, rng: &rng)
        #expect(drawn.loss == explicit.loss)
        #expect(drawn.dEmbeddings == explicit.dEmbeddings)
        #expect(rng == drawing)
        #expect(unused == SeededGenerator(seed: 0))
    }

    @Test func scratchBuffersAreReusedAcrossBatchSizes() {
        let spec = Self.spec(.sscl, s: 3, k: 2)
        let shared = ContrastiveLoss(spec: spec)
        for (rows, seed) in [(8, UInt64(1)), (12, 2), (6, 3), (12, 4)] {
            let e = Self.randomEmbeddings(rows: rows, dim: 5, seed: seed)
            var rng1 = SeededGenerator(seed: seed), rng2 = SeededGenerator(seed: seed)
            let reused = shared.forwardBackward(embeddings: e, rng: &rng1)
            let fresh = ContrastiveLoss(spec: spec).forwardBackward(embeddings: e, rng: &rng2)
            #expect(reused.loss == fresh.loss)
            #expect(reused.dEmbeddings == fresh.dEmbeddings)
            #expect(shared.lastHardIndices.count == rows)
        }
    }

    @Test func noHardListsWithoutSyntheticNegatives() {
        var rng = SeededGenerator(seed: 0)
        let loss = ContrastiveLoss(spec: Self.spec(.hcl))
        _ = loss.forwardBackward(embeddings: Self.randomEmbeddings(rows: 8, dim: 4, seed: 1), rng: &rng)
        #expect(loss.lastHardIndices.isEmpty)
    }

    @Test func hardPoolIsClippedToTheRealNegatives() {
        var rng = SeededGenerator(seed: 0)
        let loss = ContrastiveLoss(spec: Self.spec(.sscl, s: 32, k: 2))
        let result = loss.forwardBackward(embeddings: Self.randomEmbeddings(rows: 6, dim: 4, seed: 1), rng: &rng)
        #expect(result.loss.isFinite)
        #expect(loss.lastHardIndices.allSatisfy { $0.count == 4 && Set($0).count == 4 })
    }

    @Test func diagnosticsDescribeTheBatch() {
        var rng = SeededGenerator(seed: 0)
        let loss = ContrastiveLoss(spec: Self.spec(.sscl, s: 4, k: 3))
        let e = Self.randomEmbeddings(rows: 10, dim: 6, seed: 8)
        _ = loss.forwardBackward(embeddings: e, rng: &rng)
        let d = loss.lastDiagnostics
        let z = ReferenceContrastiveLoss.normalised(e.data.map(Double.init), rows: 10, dim: 6)
        let positive = (0..<10).map { ReferenceContrastiveLoss.dot(z[$0], z[($0 + 5) % 10]) }.reduce(0, +) / 10
        #expect(abs(Double(d.meanPositiveSimilarity) - positive) < 1e-5)
        let hardest = (0..<10).map { i in
            (0..<10).filter { $0 != i && $0 != (i + 5) % 10 }.map { ReferenceContrastiveLoss.dot(z[i], z[$0]) }.max()!
        }.reduce(0, +) / 10
        #expect(abs(Double(d.meanHardestNegativeSimilarity) - hardest) < 1e-5)
        #expect(abs(d.meanSyntheticSimilarity) <= 1 + 1e-5 && d.meanSyntheticSimilarity != 0)
        #expect(d.clampedFraction == 0)
    }

    /// The loops around the GEMMs split over threads; the loss, its gradient, the hard lists and
    /// the diagnostics must not depend on how many (a resumed job may use other threads).
    @Test(arguments: settings)
    func threadPartsMatchOnePart(setting: Setting) {
        let rows = 8 * ContrastiveLoss.minimumAnchorsPerWorker + 6  // uneven parts; 9 symmetrise tile rows
        let e = Self.randomEmbeddings(rows: rows, dim: 9, seed: 31)
        func run(threads: Int) -> (loss: Float, grad: Tensor, hard: [[Int]], diagnostics: ContrastiveLoss.Diagnostics) {
            var rng = SeededGenerator(seed: 5)
            let loss = ContrastiveLoss(spec: setting.spec)
            let result = loss.forwardBackward(embeddings: e, rng: &rng, threads: threads)
            return (result.loss, result.dEmbeddings, loss.lastHardIndices, loss.lastDiagnostics)
        }
        let one = run(threads: 1), two = run(threads: 2), four = run(threads: 4)
        for other in [two, four] {
            #expect(other.loss == one.loss, "\(setting.label)")
            #expect(other.grad == one.grad, "\(setting.label)")
            #expect(other.hard == one.hard, "\(setting.label)")
            #expect(other.diagnostics == one.diagnostics, "\(setting.label)")
        }
    }

    @Test func specProblemsAreNamed() {
        #expect(ContrastiveLoss.problem(with: Self.spec(.sscl, t: 0)) != nil)
        #expect(ContrastiveLoss.problem(with: Self.spec(.dcl, tau: 1)) != nil)
        #expect(ContrastiveLoss.problem(with: Self.spec(.hcl, beta: -1)) != nil)
        #expect(ContrastiveLoss.problem(with: Self.spec(.sscl, s: 0, k: 2)) != nil)
        #expect(ContrastiveLoss.problem(with: LossSpec.defaults(for: .sscl)) == nil)
    }
}
