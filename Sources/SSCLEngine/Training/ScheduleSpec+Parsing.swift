/// The `schedule` section: warmup_epochs in [0, epochs] (a warm-up as long as the run is odd
/// but harmless, and it lets the default of 1 stand for a one-epoch job); min_lr_factor in
/// [0, 1] (used by cosine, accepted for both kinds).
extension ScheduleSpec {
    /// `epochs` is nil when epochs is itself invalid (then the upper limit is not checked).
    static func parse(section r: inout JobSpecReader, epochs: Int?) -> ScheduleSpec {
        var s = ScheduleSpec()
        let kind = r.has("kind") ? r.choice("kind", ScheduleKind.self) : .cosine
        if let kind { s.kind = kind }
        if let v = r.double("warmup_epochs", .atLeast(0)) {
            if let epochs, v > Double(epochs) {
                r.report("warmup_epochs", "must be <= epochs (\(epochs))")
            } else {
                s.warmupEpochs = v
            }
        }
        if let v = r.float("min_lr_factor", .closed(0, 1)) { s.minLRFactor = v }
        r.finish(known: ["kind", "warmup_epochs", "min_lr_factor"])
        return s
    }
}
