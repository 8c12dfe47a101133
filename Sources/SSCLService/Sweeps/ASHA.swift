/// Asynchronous successive halving (Li et al. 2020, "A System for Massively Parallel
/// Hyperparameter Tuning") as a stopping rule: rungs at `minEpochs · ηᵏ` epochs; when a
/// configuration has the metric at a rung for all its seeds, its mean is compared with the
/// means of the configurations that reached that rung before it. It is promoted (trains on)
/// when it is among the best max(1, ⌊n/η⌋) of those n (itself included; ties promote), and
/// pruned otherwise. This is the rule of Optuna's SuccessiveHalvingPruner: trials never wait
/// for a promotion, so the first configurations of a rung are judged against few others.
///
/// A decision depends only on the arrival order of rung results, which the store records, so
/// replaying the recorded arrivals gives the same decisions after a restart.
public struct ASHA: Sendable, Equatable {
    public enum Decision: String, Sendable, Equatable, CaseIterable { case promote, prune }

    /// A configuration's mean metric over its seeds at one rung.
    public struct RungResult: Sendable, Equatable {
        public var configuration: Int
        public var rung: Int
        public var value: Double
        public init(configuration: Int, rung: Int, value: Double) {
            self.configuration = configuration
            self.rung = rung
            self.value = value
        }
    }

    public var spec: ASHASpec
    public var goal: SweepMetric.Goal

    public init(spec: ASHASpec, goal: SweepMetric.Goal) {
        self.spec = spec
        self.goal = goal
    }

    /// The rung epochs before a run of `epochs` ends (a run that ends is not judged).
    public func rungs(epochs: Int) -> [Int] {
        var result: [Int] = []
        var e = spec.minEpochs
        while e < epochs {
            result.append(e)
            let (next, overflow) = e.multipliedReportingOverflow(by: spec.reductionFactor)
            if overflow { break }
            e = next
        }
        return result
    }

    /// The decision for `value` reaching a rung that `earlier` values reached before it.
    public func decide(_ value: Double, earlier: [Double]) -> Decision {
        let all = (earlier + [value]).sorted { goal == .maximize ? $0 > $1 : $0 < $1 }
        let keep = max(1, all.count / spec.reductionFactor)
        let cutoff = all[keep - 1]
        let passes = goal == .maximize ? value >= cutoff : value <= cutoff
        return passes ? .promote : .prune
    }

    /// The decisions for rung results in arrival order (one per result). A result of a
    /// configuration pruned at an earlier rung is a caller's error and is pruned again.
    public func decisions(_ arrivals: [RungResult]) -> [Decision] {
        var seen: [Int: [Double]] = [:]
        var pruned = Set<Int>()
        return arrivals.map { r in
            let decision = pruned.contains(r.configuration) ? .prune : decide(r.value, earlier: seen[r.rung] ?? [])
            seen[r.rung, default: []].append(r.value)
            if decision == .prune { pruned.insert(r.configuration) }
            return decision
        }
    }
}
