import Foundation

/// Turning a job document into a `JobSpec`, with every default filled in.
///
/// Rules beyond types (each section's file lists its own):
/// - Every field but `dataset` is optional; `null` means "not set" only for the optional
///   fields `dataset.train_limit`, `dataset.scale` and `dataset.test`.
/// - `loss.kind`, `optimizer.kind` and the dataset type set their sections' defaults; a
///   field the kind cannot use is an issue ("not used by ntxent", "not used by adamw",
///   "image augmentation on a tabular dataset"), and `jsonValue()` leaves it out.
/// - Strings (name, dataset paths, label column) are non-empty, without control characters,
///   and at most 4096 bytes of UTF-8 (name: 200).
/// - Float fields are checked as the 32-bit float the job uses; subnormal numbers are refused.
/// - At most `JobSpecValidationError.maxListed` issues are listed.
/// - Top level: name a non-empty string; epochs in 1...100000;
///   batch_size in 2...65536 (a batch needs a negative); seed in 0...2^64-1; threads in 1...64;
///   priority any 64-bit integer; max_restarts in 0...1000; max_seconds > 0.
/// - Issues come in document order of their top-level key, then in reading order.
extension JobSpec {
    /// Parses and validates a JSON job document.
    /// - Throws: `JobSpecSyntaxError` if it is not a JSON object, `JobSpecValidationError`
    ///   listing every invalid field otherwise.
    public static func parse(json: Data) throws -> JobSpec {
        try parse(value: try JSONValue.parse(json))
    }

    /// Parses a document already decoded by `JSONSerialization` (or built by hand).
    public static func parse(object: [String: Any]) throws -> JobSpec {
        switch JSONValue.from(any: object, path: "") {
        case .success(let value): return try parse(value: value)
        case .failure(let error): throw error
        }
    }

    public static func parse(value: JSONValue) throws -> JobSpec {
        guard case .object(let members) = value else {
            throw JobSpecSyntaxError(message: "the job document must be a JSON object")
        }
        var reader = JobSpecReader(path: "", members: members)
        let spec = read(&reader)
        guard reader.issues.isEmpty else {
            throw JobSpecValidationError(issues: documentOrder(reader.located, members: members))
        }
        return spec
    }

    /// Reads the scalars first: the dataset, epochs and batch size decide other sections'
    /// defaults and limits.
    private static func read(_ r: inout JobSpecReader) -> JobSpec {
        var dataset: DatasetSpec?
        if !r.has("dataset") {
            r.report("dataset", "required")
        } else if var d = r.object("dataset") {
            dataset = DatasetSpec.parse(section: &d)
            r.absorb(d)
        }
        var spec = JobSpec(dataset: dataset ?? DatasetSpec(source: .builtin("fashion-mnist")))
        if let v = r.string("name", maxBytes: 200) { spec.name = v }
        if let v = r.int("epochs", 1...100_000) { spec.epochs = v }
        if r.has("min_steps") {
            if r.isNull("min_steps") { spec.minSteps = nil } else if let v = r.int("min_steps", 1...10_000_000) { spec.minSteps = v }
        } else if !r.has("epochs") {
            spec.minSteps = JobSpec.defaultMinSteps  // epochs given alone: exactly that many
        }
        if let v = r.int("batch_size", 2...65536) { spec.batchSize = v }
        // nil when invalid: limits that depend on them are then not checked.
        let epochs = r.isValid("epochs") ? spec.epochs : nil
        let batchSize = r.isValid("batch_size") ? spec.batchSize : nil
        if let v = r.uint64("seed") { spec.seed = v }
        if let v = r.int("threads", 1...64) { spec.threads = v }
        if let v = r.int("priority", Int.min...Int.max) { spec.priority = v }
        if let v = r.int("max_restarts", 0...1000) { spec.maxRestarts = v }
        if let v = r.double("max_seconds", .above(0)) { spec.maxSeconds = v }

        spec.model = section("model", of: &r) { ModelSpec.parse(section: &$0, dataset: dataset) }
        spec.loss = section("loss", of: &r) { LossSpec.parse(section: &$0, batchSize: batchSize) }
        spec.optimizer = section("optimizer", of: &r) { OptimizerSpec.parse(section: &$0, dataset: dataset) }
        spec.schedule = section("schedule", of: &r) { ScheduleSpec.parse(section: &$0, epochs: epochs) }
        spec.augment = section("augment", of: &r) { AugmentSpec.parse(section: &$0, dataset: dataset) }
        spec.eval = section("eval", of: &r) { EvalSpec.parse(section: &$0) }
        r.finish(known: topLevelKeys)
        return spec
    }

    /// Reads a nested section; an absent one (or one that is not an object) reads as empty,
    /// i.e. all defaults.
    private static func section<T>(_ key: String, of r: inout JobSpecReader,
                                   _ read: (inout JobSpecReader) -> T) -> T {
        var child = r.object(key) ?? JobSpecReader(path: key, members: [], topKey: key)
        let value = read(&child)
        r.absorb(child)
        return value
    }

    /// Issues in document order: stable-sorted by where their top-level key appears (absent
    /// keys, like a missing dataset, first), so the list reads top to bottom. One lookup
    /// table, then an n log n sort: a document with 50,000 unknown keys is no slower to
    /// refuse than to parse.
    private static func documentOrder(_ located: [(topKey: String, issue: ValidationIssue)],
                                      members: [JSONMember]) -> [ValidationIssue] {
        var position: [String: Int] = [:]
        position.reserveCapacity(members.count)
        for (i, m) in members.enumerated() where position[m.key] == nil { position[m.key] = i }
        return located.enumerated()
            .map { (position: position[$0.element.topKey] ?? -1, offset: $0.offset, issue: $0.element.issue) }
            .sorted { ($0.position, $0.offset) < ($1.position, $1.offset) }
            .map(\.issue)
    }
}

private let topLevelKeys = [
    "name", "dataset", "model", "loss", "optimizer", "schedule", "augment", "epochs", "min_steps", "batch_size",
    "seed", "threads", "eval", "priority", "max_restarts", "max_seconds",
]
