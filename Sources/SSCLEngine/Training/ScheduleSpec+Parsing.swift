/// The `schedule` section: warmup_epochs in [0, epochs) (default 1, or epochs / 2 for a
/// one-epoch job, so the default never breaks the rule); min_lr_factor in [0, 1], cosine only.
extension ScheduleSpec {
    /// `epochs` is nil when epochs is itself invalid (then the upper limit is not checked).
    static func parse(section r: inout JobSpecReader, epochs: Int?) -> ScheduleSpec {
        var s = ScheduleSpec()
        let kind = r.has("kind") ? r.choice("kind", ScheduleKind.self) : .cosine
        if let kind { s.kind = kind }
        if r.has("warmup_epochs") {
            if let v = r.double("warmup_epochs", .atLeast(0)) {
                if let epochs, v >= Double(epochs) {
                    r.report("warmup_epochs", "must be < epochs (\(epochs))")
                } else {
                    s.warmupEpochs = v
                }
            }
        } else if let epochs {
            s.warmupEpochs = min(s.warmupEpochs, Double(epochs) / 2)
        }
        if kind == .constant {
            r.reject(["min_lr_factor"], reason: "not used by constant")
        } else if let v = r.float("min_lr_factor", .closed(0, 1)) {
            s.minLRFactor = v
        }
        r.finish(known: ["kind", "warmup_epochs", "min_lr_factor"])
        return s
    }
}
