/// One measurement of the false-negative diagnostics, every `eval.diagnostics_every` steps:
/// the rates at `step` and, on the thinned schedule of `SimilarityHistogram.reports`, the
/// batch's similarity histogram. A `diagnostics` event; its rates are metric points.
public struct DiagnosticsReport: Sendable, Equatable {
    /// 1-based epoch of the step.
    public var epoch: Int
    /// The global step (1-based) of the batch measured.
    public var globalStep: Int
    public var rates: FalseNegativeRates
    /// nil on the steps whose histogram is not reported.
    public var histogram: SimilarityHistogram?

    public init(epoch: Int, globalStep: Int, rates: FalseNegativeRates, histogram: SimilarityHistogram?) {
        self.epoch = epoch
        self.globalStep = globalStep
        self.rates = rates
        self.histogram = histogram
    }
}
