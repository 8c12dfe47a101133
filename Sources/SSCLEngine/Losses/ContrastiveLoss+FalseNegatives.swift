import Foundation

extension ContrastiveLoss {
    /// The false-negative and hardness diagnostics of the last `forwardBackward` call, from the
    /// buffers it left (S, the hard lists, the synthetic negatives' parents and similarities,
    /// which anchors were clamped) and the batch's labels; nothing is recomputed but the
    /// negatives' weights. Labels only measure here: the loss never sees them.
    ///
    /// `labels`: the class of each of the B inputs; row r of the 2B views has labels[r mod B].
    /// Row j is a same-class negative of anchor i when j is neither i nor its positive and
    /// labels agree. A synthetic negative's parents are the hard-pool rows mixed into it
    /// (`pair`: a and b; `copy`: a; `anchor`: a, the anchor itself is not counted).
    ///
    /// `fn_weight_share`: anchor i gives each negative u (real and synthetic) the weight
    /// a_u = w_u n_u = exp((1 + beta) s_u / t) of its term in R_i (method.md; for NT-Xent,
    /// beta = 0: the softmax weight exp(s_u / t)); the share is sum over same-class u of a_u
    /// over sum of all a_u (a synthetic negative is same-class when all its parents are),
    /// averaged over the anchors whose Ng_i was not clamped. The debiasing subtracts
    /// tau_plus N pos_i, one amount for all negatives, so it moves no negative's share; where
    /// the clamp set Ng_i the negatives have no weight at all, and those anchors are left out.
    ///
    /// Cost: one pass over the 2B x 2B similarities with one exp each, O(4B^2 + 2B(s + k)).
    public func falseNegativeDiagnostics(labels: [Int], step: Int, epoch: Int)
        -> (rates: FalseNegativeRates, histogram: SimilarityHistogram) {
        let n = lastRows, half = n / 2
        precondition(n >= 4, "falseNegativeDiagnostics needs a forwardBackward call first")
        precondition(labels.count == half, "need one label per input (\(half)), got \(labels.count)")
        let c = Settings(spec: spec, rows: n)
        let s = c.pool, k = c.synthetic
        let rowLabels = (0..<n).map { labels[$0 % half] }  // [2B]
        let exponent = (1 + c.beta) * c.inverseTemperature
        let bins = SimilarityHistogram.binCount
        var positives = [Int](repeating: 0, count: bins)
        var negatives = [Int](repeating: 0, count: bins)
        var hardCounts = [Int](repeating: 0, count: bins)
        var syntheticCounts = [Int](repeating: 0, count: bins)
        var sameAll = 0, sameHard = 0, syntheticOne = 0, syntheticBoth = 0
        var shareSum = 0.0, weightedAnchors = 0
        let S = similarity.base, hardList = hard.base
        let synthSimilarity = synthSimilarity.base, row1 = synthRow1.base, row2 = synthRow2.base

        for i in 0..<n {
            let p = (i + half) % n, label = rowLabels[i]
            let row = S + i * n  // [2B] S_i
            positives[SimilarityHistogram.bin(row[p])] += 1
            // The largest negative similarity, so no exponent overflows (the share does not
            // depend on the shift).
            var top = -Float.infinity
            for j in 0..<n where j != i && j != p { top = max(top, row[j]) }
            for m in 0..<k { top = max(top, synthSimilarity[i * k + m]) }

            var mass = 0.0, sameMass = 0.0
            for j in 0..<n where j != i && j != p {
                let value = row[j]
                negatives[SimilarityHistogram.bin(value)] += 1
                let weight = Double(expf(exponent * (value - top)))
                mass += weight
                if rowLabels[j] == label {
                    sameAll += 1
                    sameMass += weight
                }
            }
            for q in 0..<s {
                let j = hardList[i * s + q]
                hardCounts[SimilarityHistogram.bin(row[j])] += 1
                if rowLabels[j] == label { sameHard += 1 }
            }
            for m in 0..<k {
                let index = i * k + m, value = synthSimilarity[index]
                syntheticCounts[SimilarityHistogram.bin(value)] += 1
                let (first, second): (Int, Int) = switch c.mixing {
                case .pair: (row1[index], row2[index])
                case .copy: (row1[index], row1[index])
                case .anchor: (row2[index], row2[index])
                }
                let sameFirst = rowLabels[first] == label, sameSecond = rowLabels[second] == label
                if sameFirst || sameSecond { syntheticOne += 1 }
                let weight = Double(expf(exponent * (value - top)))
                mass += weight
                if sameFirst && sameSecond {
                    syntheticBoth += 1
                    sameMass += weight
                }
            }
            if !outcomes.base[i].clamped {
                shareSum += sameMass / mass
                weightedAnchors += 1
            }
        }

        let anchors = Double(n)
        let rates = FalseNegativeRates(
            all: Double(sameAll) / (anchors * Double(n - 2)),
            hard: s > 0 ? Double(sameHard) / (anchors * Double(s)) : nil,
            syntheticOne: k > 0 ? Double(syntheticOne) / (anchors * Double(k)) : nil,
            syntheticBoth: k > 0 ? Double(syntheticBoth) / (anchors * Double(k)) : nil,
            weightShare: weightedAnchors > 0 ? shareSum / Double(weightedAnchors) : nil)
        let histogram = SimilarityHistogram(
            step: step, epoch: epoch, positives: positives, negatives: negatives,
            hard: s > 0 ? hardCounts : nil, synthetic: k > 0 ? syntheticCounts : nil)
        return (rates, histogram)
    }
}
