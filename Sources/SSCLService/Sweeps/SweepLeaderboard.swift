/// The ranking of a sweep's configurations by their metric over the seeds that finished:
/// mean, sample std, 95% CI, and Welch's p-value against the best configuration (the best
/// mean among those with a finished seed). A configuration whose p-value is at least `alpha`
/// is marked indistinguishable from the best: the gap is within seed noise.
///
/// With ASHA, a pruned configuration ranks after every configuration that was not pruned,
/// even when one of its seeds finished before it was judged (its seeds run at their own pace):
/// ASHA ranked it lower at a rung, and its finished seeds are not all of them. Pruned ones are
/// ordered by the highest rung they were judged at, then their mean there (a configuration
/// stopped later got further against more competition). Their rung and value are shown
/// instead of a final mean, and their pruned trials are counted; they are never the best nor
/// compared by a t-test, as their values come from shorter runs or too few seeds.
public struct SweepLeaderboard: Sendable, Equatable {
    public struct Row: Sendable, Equatable {
        public var configuration: Int
        /// Seeds whose trial finished with the metric.
        public var finished: Int
        public var summary: SweepStatistics.Summary?
        /// Welch's two-sided p-value against the best (nil for the best itself, or with fewer than two values a side).
        public var pValue: Double?
        public var isBest: Bool
        /// The best itself, or p >= alpha.
        public var indistinguishableFromBest: Bool
        /// ASHA: the last rung the configuration was judged at, and how.
        public var standing: RungStanding?
        /// Trials stopped by ASHA.
        public var prunedSeeds = 0
    }

    /// A configuration's last ASHA decision: its mean over its seeds at that rung.
    public struct RungStanding: Sendable, Equatable {
        public var rung: Int
        public var value: Double
        public var pruned: Bool

        public init(rung: Int, value: Double, pruned: Bool) {
            self.rung = rung
            self.value = value
            self.pruned = pruned
        }
    }

    public static let alpha = 0.05
    /// Best first; then configurations with no finished seed; pruned ones last.
    public var rows: [Row]

    /// `values[c]`: the metric of configuration c's finished trials; `standings[c]` its last
    /// ASHA decision; `prunedSeeds[c]` its pruned trials.
    public init(values: [[Double]], goal: SweepMetric.Goal, standings: [Int: RungStanding] = [:], prunedSeeds: [Int: Int] = [:]) {
        let summaries = values.map { SweepStatistics.summary($0) }
        let metric = SweepMetric(name: .knnAccuracy, goal: goal)
        let pruned = { (c: Int) in standings[c]?.pruned ?? false }
        let ranked = values.indices.sorted { a, b in
            if pruned(a) != pruned(b) { return pruned(b) }
            if pruned(a) {
                let (x, y) = (standings[a]!, standings[b]!)
                if x.rung != y.rung { return x.rung > y.rung }
                return x.value == y.value ? a < b : metric.isBetter(x.value, than: y.value)
            }
            switch (summaries[a], summaries[b]) {
            case let (x?, y?): return x.mean == y.mean ? a < b : metric.isBetter(x.mean, than: y.mean)
            case (_?, nil): return true
            case (nil, _?): return false
            case (nil, nil):
                // Still running: the one promoted furthest first.
                switch (standings[a], standings[b]) {
                case let (x?, y?):
                    if x.rung != y.rung { return x.rung > y.rung }
                    return x.value == y.value ? a < b : metric.isBetter(x.value, than: y.value)
                case (_?, nil): return true
                case (nil, _?): return false
                case (nil, nil): return a < b
                }
            }
        }
        let best = ranked.first.flatMap { summaries[$0] == nil || pruned($0) ? nil : $0 }
        rows = ranked.map { c in
            let p = best.flatMap { c == $0 || pruned(c) ? nil : SweepStatistics.welchPValue(values[c], values[$0]) }
            return Row(configuration: c, finished: values[c].count, summary: summaries[c], pValue: p, isBest: c == best,
                       indistinguishableFromBest: c == best || (p.map { $0 >= Self.alpha } ?? false),
                       standing: standings[c], prunedSeeds: prunedSeeds[c] ?? 0)
        }
    }
}
