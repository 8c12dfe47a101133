/// The `eval` section: every_epochs >= 1 or null (about ten evaluations per run), knn_k >= 1,
/// knn_temperature in (0, 100], linear_probe (fitted once, after the last epoch),
/// diagnostics_every >= 0 (steps between false-negative diagnostics; 0 turns them off).
extension EvalSpec {
    static func parse(section r: inout JobSpecReader) -> EvalSpec {
        var e = EvalSpec()
        if r.has("every_epochs") && !r.isNull("every_epochs"), let v = r.int("every_epochs", 1...Int.max) { e.everyEpochs = v }
        if let v = r.int("knn_k", 1...Int.max) { e.knnK = v }
        if let v = r.float("knn_temperature", .openClosed(0, 100)) { e.knnTemperature = v }
        if let v = r.bool("linear_probe") { e.linearProbe = v }
        if let v = r.int("diagnostics_every", 0...Int.max) { e.diagnosticsEvery = v }
        r.finish(known: ["every_epochs", "knn_k", "knn_temperature", "linear_probe", "diagnostics_every"])
        return e
    }
}
