/// How much of what a contrastive loss treats as negative is really the anchor's class, on one
/// batch, measured with the batch's labels (labels measure here, they never train). A rate is
/// nil when the loss makes no such selection: NT-Xent, DCL and HCL have no hard pool and no
/// synthetic negatives. README, "False-negative diagnostics", says what each one means.
public struct FalseNegativeRates: Sendable, Equatable {
    /// `fn_rate_all`: same-class rows among all 2B - 2 real negatives of each anchor (about the
    /// class prior: 1/C for C balanced classes, a little less since the anchor's own input is
    /// not a negative).
    public var all: Double
    /// `fn_rate_hard`: same-class rows among each anchor's hard pool (its s most similar real
    /// negatives, the loss's own selection).
    public var hard: Double?
    /// `fn_rate_synthetic_one`: synthetic negatives with at least one same-class parent.
    public var syntheticOne: Double?
    /// `fn_rate_synthetic_both`: synthetic negatives whose parents are all same-class (for
    /// `copy` and `anchor` mixing, the one hard-pool row mixed in).
    public var syntheticBoth: Double?
    /// `fn_weight_share`: the share of the loss's negative weight that falls on same-class
    /// negatives; nil when every anchor's Ng was clamped (no negative had weight).
    public var weightShare: Double?

    public init(all: Double, hard: Double? = nil, syntheticOne: Double? = nil, syntheticBoth: Double? = nil,
                weightShare: Double? = nil) {
        self.all = all
        self.hard = hard
        self.syntheticOne = syntheticOne
        self.syntheticBoth = syntheticBoth
        self.weightShare = weightShare
    }

    /// The rates present, by metric name, in `MetricName` order.
    public var values: [(name: MetricName, value: Double)] {
        let all: [(MetricName, Double?)] = [
            (.fnRateAll, self.all), (.fnRateHard, hard), (.fnRateSyntheticOne, syntheticOne),
            (.fnRateSyntheticBoth, syntheticBoth), (.fnWeightShare, weightShare),
        ]
        return all.compactMap { name, value in value.map { (name, $0) } }
    }

    /// The five metric names, in order.
    public static let metricNames: [MetricName] = [
        .fnRateAll, .fnRateHard, .fnRateSyntheticOne, .fnRateSyntheticBoth, .fnWeightShare,
    ]

    /// The rates from metric values (the inverse of `values`); nil without `fn_rate_all`.
    public init?(values: [MetricName: Double]) {
        guard let all = values[.fnRateAll] else { return nil }
        self.init(all: all, hard: values[.fnRateHard], syntheticOne: values[.fnRateSyntheticOne],
                  syntheticBoth: values[.fnRateSyntheticBoth], weightShare: values[.fnWeightShare])
    }
}
