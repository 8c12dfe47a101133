/// The `model` section: encoder mlp (uses `hidden`) or cnn (uses `channels`, needs images);
/// defaults follow the dataset: `ModelSpec.tabular` for tabular rows, `ModelSpec()` for images;
/// hidden, channels and projection are non-empty arrays of widths in 1...16384. Both width
/// lists are always accepted and printed, so any `ModelSpec` round-trips.
extension ModelSpec {
    /// `dataset` is nil when the dataset section is itself invalid.
    static func parse(section r: inout JobSpecReader, dataset: DatasetSpec?) -> ModelSpec {
        var m = dataset?.isImage == false ? ModelSpec.tabular : ModelSpec()
        let encoder = r.has("encoder") ? r.choice("encoder", EncoderKind.self) : .mlp
        if let encoder { m.encoder = encoder }
        if encoder == .cnn, let dataset, !dataset.isImage { r.report("encoder", "cnn needs an image dataset") }
        if let v = r.intArray("hidden", widths) { m.hidden = v }
        if let v = r.intArray("channels", widths) { m.channels = v }
        if let v = r.intArray("projection", widths) { m.projection = v }
        if let v = r.bool("batch_norm") { m.batchNorm = v }
        r.finish(known: modelKeys)
        return m
    }
}

private let widths = 1...16384
private let modelKeys = ["encoder", "hidden", "channels", "projection", "batch_norm"]
