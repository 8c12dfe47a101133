extension ContrastiveLoss {
    /// Means over the 2B anchors of the last call: how aligned positives are, how hard the
    /// hardest real negative is, how hard the synthetic ones are, and how often the clamp
    /// N exp(-1/t) was active (a sign that tau_plus is too large for the batch).
    public struct Diagnostics: Sendable, Equatable {
        /// Mean cosine similarity S_{i,p(i)} of each anchor with its positive.
        public var meanPositiveSimilarity: Float = 0
        /// Mean over anchors of the largest cosine similarity to a real negative.
        public var meanHardestNegativeSimilarity: Float = 0
        /// Mean z_i . h_im over all synthetic negatives (0 when k = 0).
        public var meanSyntheticSimilarity: Float = 0
        /// Fraction of anchors whose Ng_i was set by the clamp.
        public var clampedFraction: Float = 0
        public init() {}
    }

    /// Running sums behind `Diagnostics`, in float64.
    struct DiagnosticsSums {
        private var positive = 0.0
        private var hardest = 0.0
        private var synthetic = 0.0
        private var syntheticCount = 0
        private var clamped = 0

        mutating func add(_ outcome: AnchorOutcome, anchor i: Int, _ w: Workspace, _ c: Settings) {
            positive += Double(outcome.positiveSimilarity)
            hardest += Double(outcome.hardestNegative)
            if outcome.clamped { clamped += 1 }
            let k = c.synthetic
            for m in 0..<k { synthetic += Double(w.synthSimilarity[i * k + m]) }
            syntheticCount += k
        }

        func mean(rows: Int) -> Diagnostics {
            var d = Diagnostics()
            let r = Double(max(rows, 1))
            d.meanPositiveSimilarity = Float(positive / r)
            d.meanHardestNegativeSimilarity = Float(hardest / r)
            d.meanSyntheticSimilarity = syntheticCount > 0 ? Float(synthetic / Double(syntheticCount)) : 0
            d.clampedFraction = Float(Double(clamped) / r)
            return d
        }
    }
}
