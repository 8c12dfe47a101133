/// The `augment` section. Defaults follow the dataset: `AugmentSpec.tabular` for csv,
/// `.digits` (no flip) for the digits, `.image` otherwise; given keys override single fields.
/// Image keys: crop in [0, 1] (minimum kept area, 0 off), flip, jitter in [0, 1), erase in
/// [0, 1] (a probability). Tabular key: mask in [0, 1) (fraction of features replaced).
/// noise >= 0 (a standard deviation) for both. A key of the other family is an issue.
extension AugmentSpec {
    /// `dataset` is nil when the dataset section is itself invalid (then every key is allowed).
    static func parse(section r: inout JobSpecReader, dataset: DatasetSpec?) -> AugmentSpec {
        var a: AugmentSpec
        switch dataset?.source {
        case .csv?, .arff?: a = .tabular
        case .npz(_, .tabular)?, .npy(_, _, .tabular)?: a = .tabular
        case .builtin("digits")?: a = .digits
        default: a = .image
        }
        let isImage = dataset?.isImage
        if isImage == false {
            r.reject(["crop", "flip", "jitter", "erase"], reason: "image augmentation on a tabular dataset")
        } else {
            if let v = r.float("crop", .closed(0, 1)) { a.crop = v }
            if let v = r.bool("flip") { a.flip = v }
            if let v = r.float("jitter", .closedOpen(0, 1)) { a.jitter = v }
            if let v = r.float("erase", .closed(0, 1)) { a.erase = v }
        }
        if let v = r.float("noise", .atLeast(0)) { a.noise = v }
        if isImage == true {
            r.reject(["mask"], reason: "tabular augmentation on an image dataset")
        } else if let v = r.float("mask", .closedOpen(0, 1)) {
            a.mask = v
        }
        r.finish(known: ["crop", "flip", "jitter", "noise", "erase", "mask"])
        return a
    }
}
