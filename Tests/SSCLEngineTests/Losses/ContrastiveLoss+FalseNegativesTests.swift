import Foundation
import Testing
@testable import SSCLEngine

/// The false-negative diagnostics on a batch built by hand: B = 3 inputs, 2B = 6 unit vectors
/// in the plane at known angles, labels chosen so every count can be done on paper.
@Suite struct ContrastiveLossFalseNegativesTests {
    /// Rows 0..<3 are the first views of inputs 0, 1, 2; rows 3..<6 their second views.
    static let angles: [Double] = [0, 30, 50, 12, 40, 100]  // degrees
    /// Inputs 0 and 1 are class 0, input 2 class 1: rows 0, 1, 3, 4 are class 0, rows 2, 5 class 1.
    static let labels = [0, 0, 1]
    static var rowLabels: [Int] { (0..<6).map { labels[$0 % 3] } }
    /// Synthetic negative m of every anchor mixes hard-list positions (a, b) with weight alpha.
    static let pairPlan: [(a: Int, b: Int, alpha: Float)] = [(0, 0, 0.25), (0, 1, 0.6)]

    static var embeddings: Tensor {
        Tensor(shape: [6, 2], data: angles.flatMap { [Float(cos($0 * .pi / 180)), Float(sin($0 * .pi / 180))] })
    }

    static func spec(_ kind: LossKind, tauPlus: Float = 0.1, mixing: MixingMode = .pair) -> LossSpec {
        var spec = LossSpec.defaults(for: kind)
        spec.tauPlus = kind == .ntxent ? 0 : tauPlus
        if kind == .sscl {
            spec.hardPool = 2
            spec.synthetic = 2
            spec.mixing = mixing
        }
        return spec
    }

    static func plan(_ entries: [(a: Int, b: Int, alpha: Float)]) -> MixingPlan {
        MixingPlan(a: Array(repeating: entries.map(\.a), count: 6), b: Array(repeating: entries.map(\.b), count: 6),
                   alpha: Array(repeating: entries.map(\.alpha), count: 6))
    }

    static func measure(_ spec: LossSpec, plan entries: [(a: Int, b: Int, alpha: Float)] = pairPlan)
        -> (rates: FalseNegativeRates, histogram: SimilarityHistogram, hard: [[Int]]) {
        let loss = ContrastiveLoss(spec: spec)
        var rng = SeededGenerator(seed: 0)
        let plan = spec.kind == .sscl ? Self.plan(entries) : nil
        _ = loss.forwardBackward(embeddings: embeddings, plan: plan, rng: &rng, threads: 1)
        let (rates, histogram) = loss.falseNegativeDiagnostics(labels: labels, step: 7, epoch: 2)
        return (rates, histogram, loss.lastHardIndices)
    }

    /// Cosines (angle differences): anchor 0 at 0 deg sees 1 (30: .866), 4 (40: .766),
    /// 2 (50: .643), 5 (100: -.174); anchor 1 at 30 sees 3 (18: .951), 2 (20: .940), 0 (.866),
    /// 5 (70: .342); anchor 2 at 50 sees 4 (.985), 1 (.940), 3 (38: .788), 0 (.643); anchor 3
    /// at 12 sees 1 (.951), 4 (28: .883), 2 (.788), 5 (88: .035); anchor 4 at 40 sees 2 (.985),
    /// 3 (.883), 0 (.766), 5 (60: .5); anchor 5 at 100 sees 4 (.5), 1 (.342), 3 (.035), 0 (-.174).
    ///
    /// fn_rate_all: anchors 0, 1, 3, 4 (class 0) have 2 class-0 rows among their 4 negatives,
    /// anchors 2, 5 (class 1) none: (2 + 2 + 0 + 2 + 2 + 0) / 24 = 1/3.
    /// Hard lists (s = 2): [1, 4], [3, 2], [4, 1], [1, 4], [2, 3], [4, 1]; same-class entries
    /// 2, 1, 0, 2, 1, 0: fn_rate_hard = 6 / 12 = 1/2.
    /// Synthetic (pair; m = 0 mixes H[0] with itself, m = 1 mixes H[0] and H[1]):
    /// anchor 0: (1,1) both, (1,4) both; anchor 1: (3,3) both, (3,2) one; anchor 2: none;
    /// anchor 3: (1,1) both, (1,4) both; anchor 4: (2,2) none, (2,3) one; anchor 5: none.
    /// At least one same-class parent: 2 + 2 + 0 + 2 + 1 + 0 = 7 of 12; both: 2 + 1 + 2 = 5 of 12.
    @Test func ratesOnAConstructedBatch() throws {
        let (rates, _, hard) = Self.measure(Self.spec(.sscl))
        #expect(hard == [[1, 4], [3, 2], [4, 1], [1, 4], [2, 3], [4, 1]])
        #expect(rates.all == 1.0 / 3)
        #expect(rates.hard == 0.5)
        #expect(rates.syntheticOne == 7.0 / 12)
        #expect(rates.syntheticBoth == 5.0 / 12)
        // The independent computation below; NumPy gives 0.42708611131153323 for the same batch:
        //   Z = [[cos d, sin d] for d in radians([0, 30, 50, 12, 40, 100])]; S = Z @ Z.T
        //   per anchor: h = normalize(alpha Z[a] + (1 - alpha) Z[b]) for the plan, s_u = S[i, j] and Z[i] @ h,
        //   a_u = exp((1 + beta) s_u / t); share = a[same].sum() / a.sum(); mean over unclamped anchors.
        let share = try #require(rates.weightShare)
        let reference = try #require(Self.referenceWeightShare(Self.spec(.sscl)))
        #expect(abs(reference - 0.42708611131153323) < 1e-9, "alpha 0.6 is a float here, a double in NumPy")
        #expect(abs(share - reference) < 1e-5)
    }

    /// tau_plus = 0.65 clamps anchor 5 only (debiased estimate -1.69 < N e^(-1/t) = 0.81; the
    /// next lowest is anchor 0 at 6.18): its negatives have no weight and it leaves the mean.
    @Test func clampedAnchorsCarryNoWeight() throws {
        let spec = Self.spec(.sscl, tauPlus: 0.65)
        let (rates, _, _) = Self.measure(spec)
        let reference = try #require(Self.referenceWeightShare(spec))
        #expect(abs(reference - 0.5125033335738399) < 1e-9, "NumPy, as above")
        #expect(abs(try #require(rates.weightShare) - reference) < 1e-5)
        // The other rates do not depend on the clamp.
        #expect(rates.all == 1.0 / 3 && rates.hard == 0.5)
    }

    /// `copy` and `anchor` mixing have one hard-pool parent (H[a]); m = 0 takes H[0], m = 1
    /// H[1], so the synthetic negatives' parents are the hard lists themselves: 6 of 12 same-class,
    /// and "one" equals "both".
    @Test(arguments: [MixingMode.copy, .anchor])
    func singleParentMixingCountsItsHardParent(mixing: MixingMode) {
        let (rates, _, _) = Self.measure(Self.spec(.sscl, mixing: mixing), plan: [(0, 1, 0.3), (1, 0, 0.3)])
        #expect(rates.syntheticOne == 0.5)
        #expect(rates.syntheticBoth == 0.5)
    }

    /// NT-Xent selects nothing: only fn_rate_all and the softmax weight share (NumPy:
    /// 0.41495826016198617 with beta = 0, t = 0.5).
    @Test func ntxentHasNoHardOrSyntheticRates() throws {
        let (rates, histogram, _) = Self.measure(Self.spec(.ntxent))
        #expect(rates.all == 1.0 / 3)
        #expect(rates.hard == nil && rates.syntheticOne == nil && rates.syntheticBoth == nil)
        #expect(rates.values.map(\.name) == [.fnRateAll, .fnWeightShare])
        let reference = try #require(Self.referenceWeightShare(Self.spec(.ntxent)))
        #expect(abs(reference - 0.41495826016198617) < 1e-12)
        #expect(abs(try #require(rates.weightShare) - reference) < 1e-5)
        #expect(histogram.hard == nil && histogram.synthetic == nil)
        let hcl = Self.measure(Self.spec(.hcl)).rates
        #expect(hcl.hard == nil && hcl.syntheticOne == nil && hcl.weightShare != nil, "HCL weighs but selects nothing")
    }

    /// Each anchor adds 1 positive, 2B - 2 = 4 negatives, s = 2 hard and k = 2 synthetic ones.
    /// Positives: anchors 0, 3 at cos 12 = .978 and 1, 4 at cos 10 = .985 fall in bin
    /// floor((x + 1) * 20) = 39; anchors 2, 5 at cos 50 = .643 in bin 32.
    @Test func histogramsCountEveryAnchor() throws {
        let (_, histogram, _) = Self.measure(Self.spec(.sscl))
        #expect(histogram.step == 7 && histogram.epoch == 2)
        #expect(histogram.binEdges.count == 41 && histogram.binEdges.first == -1 && histogram.binEdges.last == 1)
        #expect(histogram.positives.count == 40 && histogram.positives.reduce(0, +) == 6)
        #expect(histogram.positives[39] == 4 && histogram.positives[32] == 2)
        #expect(histogram.negatives.reduce(0, +) == 24)
        #expect(try #require(histogram.hard).reduce(0, +) == 12)
        #expect(try #require(histogram.synthetic).reduce(0, +) == 12)
        // Anchor 0's negatives: .866 -> 37, .766 -> 35, .643 -> 32, -.174 -> 16; anchor 5's
        // -.174 is the only other value below 0.
        #expect(histogram.negatives[16] == 2)
        #expect(histogram.negatives[0..<16].allSatisfy { $0 == 0 } && histogram.negatives[17..<20].allSatisfy { $0 == 0 })
        // Hard negatives are the most similar: none below anchor 5's second, .342 (bin 26).
        #expect(try #require(histogram.hard)[0..<26].allSatisfy { $0 == 0 })
    }

    @Test func binsCoverTheRangeAndClampOutliers() {
        #expect(SimilarityHistogram.bin(-1) == 0)
        #expect(SimilarityHistogram.bin(-1.5) == 0 && SimilarityHistogram.bin(.nan) == 0)
        #expect(SimilarityHistogram.bin(0.01) == 20)
        #expect(SimilarityHistogram.bin(1) == 39 && SimilarityHistogram.bin(1.0001) == 39)
    }

    /// 64 more histograms per doubling of the number of measurements, every one of the first 127.
    @Test func reportedHistogramsGrowLogarithmically() {
        func reported(upTo k: Int) -> Int { (1...k).filter(SimilarityHistogram.reports(measurement:)).count }
        #expect(reported(upTo: 127) == 127)
        #expect(reported(upTo: 255) == 127 + 64)
        #expect(reported(upTo: 100_000) <= 64 * 17 + 64)
        #expect(SimilarityHistogram.reports(measurement: 1000) && !SimilarityHistogram.reports(measurement: 1001))
    }

    /// The weight share in float64 straight from method.md, with the synthetic vectors built
    /// explicitly (not through the O(1) formula the loss uses) and the hard lists by a full sort.
    static func referenceWeightShare(_ spec: LossSpec) -> Double? {
        let n = 6, half = 3
        let z = angles.map { [cos($0 * .pi / 180), sin($0 * .pi / 180)] }
        func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).map(*).reduce(0, +) }
        let t = Double(spec.temperature), beta = Double(spec.beta), tau = Double(spec.tauPlus)
        let labels = rowLabels
        var shares: [Double] = []
        for i in 0..<n {
            let p = (i + half) % n
            let negatives = (0..<n).filter { $0 != i && $0 != p }
            var sims = negatives.map { dot(z[i], z[$0]) }
            var same = negatives.map { labels[$0] == labels[i] }
            if spec.kind == .sscl {
                let hard = negatives.sorted { (-dot(z[i], z[$0]), $0) < (-dot(z[i], z[$1]), $1) }
                for entry in pairPlan {
                    let a = hard[entry.a], b = hard[entry.b], alpha = Double(entry.alpha)
                    var h = [alpha * z[a][0] + (1 - alpha) * z[b][0], alpha * z[a][1] + (1 - alpha) * z[b][1]]
                    let norm = dot(h, h).squareRoot()
                    h = h.map { $0 / norm }
                    sims.append(dot(z[i], h))
                    same.append(labels[a] == labels[i] && labels[b] == labels[i])
                }
            }
            let count = Double(sims.count)
            let w = sims.map { exp(beta * $0 / t) }, terms = sims.map { exp($0 / t) }
            let a = zip(w, terms).map(*)
            let estimate = count * a.reduce(0, +) / w.reduce(0, +)
            let positive = exp(dot(z[i], z[p]) / t)
            let clamped = spec.kind != .ntxent && (estimate - tau * count * positive) / (1 - tau) < count * exp(-1 / t)
            if clamped { continue }
            shares.append(zip(a, same).filter(\.1).map(\.0).reduce(0, +) / a.reduce(0, +))
        }
        return shares.isEmpty ? nil : shares.reduce(0, +) / Double(shares.count)
    }
}
