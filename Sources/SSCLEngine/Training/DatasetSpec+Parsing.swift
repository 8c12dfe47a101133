/// The `dataset` section. Exactly one of `name` (a built-in dataset) or `format`:
/// `{"format": "idx", "path": DIR}`, `{"format": "csv", "train": FILE, "test": FILE,
/// "label_column": "label"}`, `{"format": "arff", "train": FILE, "test": FILE, "label_column":
/// NAME or null}`, `{"format": "npz", "path": FILE, "kind": "tabular"|"image"}` or
/// `{"format": "npy", "x": FILE, "y": FILE, "kind": ...}`. Shared fields: train_limit >= 1 or null; test_fraction in (0, 1);
/// scale > 0 or null (not for csv: it multiplies IDX bytes). `{"format": "imagefolder", ...}`:
/// see `DatasetSpec+ImageFolder.swift`.
extension DatasetSpec {
    /// nil when the source is invalid (the issues say why).
    static func parse(section r: inout JobSpecReader) -> DatasetSpec? {
        var source: DatasetSource?
        switch (r.has("name"), r.has("format")) {
        case (true, true):
            r.reportSelf("give either \"name\" or \"format\", not both")
            _ = (r.value("name"), r.value("format"), r.value("path"), r.value("train"), r.value("test"),
                 r.value("label_column"), r.value("x"), r.value("y"), r.value("kind"))
        case (false, false):
            r.reportSelf("needs \"name\" (one of: \(builtinDatasetNames.joined(separator: ", "))) or \"format\" ("
                         + DatasetFormat.allCases.map(\.rawValue).joined(separator: ", ") + ")")
            _ = (r.value("path"), r.value("train"), r.value("test"), r.value("label_column"), r.value("x"), r.value("y"),
                 r.value("kind"))
        case (true, false):
            source = readBuiltin(&r)
        case (false, true):
            switch r.choice("format", DatasetFormat.self) {
            case .idx?: source = readIDX(&r)
            case .csv?: source = readCSV(&r)
            case .imagefolder?: source = readImageFolder(&r)
            case .arff?: source = readARFF(&r)
            case .npz?: source = readNPZ(&r)
            case .npy?: source = readNPY(&r)
            case nil: _ = (r.value("path"), r.value("train"), r.value("test"), r.value("label_column"), r.value("x"),
                           r.value("y"), r.value("kind"))
            }
        }
        if case .imageFolder? = source {} else { rejectImageFolderKeys(&r, source: source) }
        var spec = source.map(DatasetSpec.init(source:))
        let isCSV: Bool = switch source { case .csv?, .arff?: true; default: false }
        if !r.isNull("train_limit"), let v = r.int("train_limit", 1...Int.max) { spec?.trainLimit = v }
        if isCSV {
            r.reject(["scale"], reason: "not used by csv and arff datasets")
        } else if !r.isNull("scale"), let v = r.float("scale", .above(0)) {
            spec?.scale = v
        }
        if let v = r.float("test_fraction", .open(0, 1)) { spec?.testFraction = v }
        r.finish(known: datasetKeys)
        return spec
    }

    private static func readBuiltin(_ r: inout JobSpecReader) -> DatasetSource? {
        r.reject(["path", "train", "test", "label_column", "x", "y", "kind"], reason: "not used by built-in datasets")
        guard let v = r.value("name") else { return nil }
        guard case .string(let name) = v, builtinDatasetNames.contains(name) else {
            r.report("name", "expected one of: " + builtinDatasetNames.joined(separator: ", "))
            return nil
        }
        return .builtin(name)
    }

    private static func readIDX(_ r: inout JobSpecReader) -> DatasetSource? {
        r.reject(["train", "test", "label_column", "x", "y", "kind"], reason: "not used by idx datasets")
        guard r.has("path") else { r.report("path", "required"); return nil }
        return r.string("path").map { .idx(path: $0) }
    }

    private static func readCSV(_ r: inout JobSpecReader) -> DatasetSource? {
        r.reject(["path", "x", "y", "kind"], reason: "not used by csv datasets")
        let train = r.string("train")
        if !r.has("train") { r.report("train", "required") }
        let testGiven = r.has("test") && !r.isNull("test")
        let test = testGiven ? r.string("test") : nil
        let labelGiven = r.has("label_column")
        let label = labelGiven ? r.string("label_column") : "label"
        guard let train, let label, !testGiven || test != nil else { return nil }
        return .csv(train: train, test: test, labelColumn: label)
    }
}

extension DatasetSpec {
    private static func readARFF(_ r: inout JobSpecReader) -> DatasetSource? {
        r.reject(["path", "x", "y", "kind"], reason: "not used by arff datasets")
        let train = r.string("train")
        if !r.has("train") { r.report("train", "required") }
        let testGiven = r.has("test") && !r.isNull("test")
        let test = testGiven ? r.string("test") : nil
        let labelGiven = r.has("label_column") && !r.isNull("label_column")
        let label = labelGiven ? r.string("label_column") : nil
        guard let train, !testGiven || test != nil, !labelGiven || label != nil else { return nil }
        return .arff(train: train, test: test, labelColumn: label)
    }

    private static func readNPZ(_ r: inout JobSpecReader) -> DatasetSource? {
        r.reject(["train", "test", "label_column", "x", "y"], reason: "not used by npz datasets (the archive holds x and y)")
        let kind = r.has("kind") ? r.choice("kind", ArrayKind.self) : .tabular
        guard r.has("path") else { r.report("path", "required"); return nil }
        guard let path = r.string("path"), let kind else { return nil }
        return .npz(path: path, kind: kind)
    }

    private static func readNPY(_ r: inout JobSpecReader) -> DatasetSource? {
        r.reject(["path", "train", "test", "label_column"], reason: "not used by npy datasets (give x and y)")
        let kind = r.has("kind") ? r.choice("kind", ArrayKind.self) : .tabular
        if !r.has("x") { r.report("x", "required") }
        if !r.has("y") { r.report("y", "required") }
        guard let x = r.string("x"), let y = r.string("y"), let kind else { return nil }
        return .npy(x: x, y: y, kind: kind)
    }
}

/// The names `DatasetSource.builtin` accepts.
private let builtinDatasetNames = ["fashion-mnist", "fashion-mnist-mini", "digits"]

private let datasetKeys = ["name", "format", "path", "train", "test", "label_column", "x", "y", "kind", "train_limit",
                           "scale", "test_fraction"] + imageFolderKeys

private enum DatasetFormat: String, CaseIterable { case idx, csv, arff, npz, npy, imagefolder }
