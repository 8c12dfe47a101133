/// The `dataset` section of an image folder:
/// `{"format": "imagefolder", "path": DIR, "image_size": 32, "channels": 3, "skip_bad": false}`.
/// path is required; image_size in 4...1024 (default 32); channels 1 or 3 (default 3);
/// skip_bad a boolean (default false). The shared fields (train_limit, scale, test_fraction)
/// apply as for IDX folders. Other formats reject these three keys.
extension DatasetSpec {
    static func readImageFolder(_ r: inout JobSpecReader) -> DatasetSource? {
        r.reject(["train", "test", "label_column", "x", "y", "kind"], reason: "not used by imagefolder datasets")
        if !r.has("path") { r.report("path", "required") }
        let path = r.string("path")
        var folder = ImageFolderSpec(path: path ?? "")
        if let v = r.int("image_size", ImageFolderSpec.imageSizes) { folder.imageSize = v }
        if let v = r.int("channels", Int.min...Int.max) {
            if ImageFolderSpec.channelCounts.contains(v) {
                folder.channels = v
            } else {
                r.report("channels", "must be 1 (grey) or 3 (RGB)")
            }
        }
        if let v = r.bool("skip_bad") { folder.skipBad = v }
        guard path != nil else { return nil }
        return .imageFolder(folder)
    }

    /// For any other source: its keys are an issue once the source is known; while it is
    /// invalid they are only marked read, so the source's own issue stands alone.
    static func rejectImageFolderKeys(_ r: inout JobSpecReader, source: DatasetSource?) {
        if source == nil {
            for key in imageFolderKeys { _ = r.value(key) }
        } else {
            r.reject(imageFolderKeys, reason: "only used by imagefolder datasets")
        }
    }
}

/// The keys only image folders take.
let imageFolderKeys = ["image_size", "channels", "skip_bad"]
