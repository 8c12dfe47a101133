import Foundation

/// Image folders in torchvision's `ImageFolder` layout: `root/<class>/<file>`, classes in
/// sorted order, or `root/train/<class>/...` with an optional `root/test/<class>/...` as the
/// official test split (test classes must be train classes; a class may lack test images).
/// Without `test/`, the stratified hold-out applies. Files in class folders (and their
/// subfolders) are read in name order and must be PNG or JPEG by content; hidden files
/// (`.name`) and files directly in `root` or `root/train` are ignored. Each image becomes
/// `channels` planes (see `DecodedImage.planes`), resized to `imageSize` squared (see
/// `ImageResizer`; other aspect ratios are stretched, as `Resize((s, s))`), times `scale`.
/// A file that is not a readable image fails the load naming it, or with `skipBad` is left
/// out and listed in `Dataset.skippedFiles`. Files reached through a symbolic link must lie
/// inside `root`, so a job cannot read images from elsewhere on the server; each file is
/// opened through `DatasetFile` (regular files only, inside `dataDirectory` when given).
extension DatasetLoader {
    static func loadImageFolder(_ spec: ImageFolderSpec, root: URL, scale: Float, testFraction: Float,
                                seed: UInt64, within dataDirectory: DataDirectory? = nil,
                                threads: Int = 1) throws -> Dataset {
        guard isFolder(root) else {
            let exists = FileManager.default.fileExists(atPath: root.path)
            throw DatasetError(file: root.path, exists ? "is not a folder (an image folder holds one folder per class)"
                                                       : "image folder not found")
        }
        let top = try subfolders(of: root)
        var trainRoot = root, testRoot: URL?
        if top.contains("train") {
            let others = top.filter { $0 != "train" && $0 != "test" }
            guard others.isEmpty else {
                throw DatasetError(file: root.path, "has train/ beside other folders (\(others.joined(separator: ", "))); "
                                   + "with train/, every class goes inside train/ (and test/)")
            }
            trainRoot = root.appendingPathComponent("train", isDirectory: true)
            if top.contains("test") { testRoot = root.appendingPathComponent("test", isDirectory: true) }
        } else if top.contains("test") {
            throw DatasetError(file: root.path, "has test/ but no train/; put the train images in train/<class>/")
        }

        let classNames = try subfolders(of: trainRoot)
        guard !classNames.isEmpty else {
            throw DatasetError(file: trainRoot.path, "holds no class folders; images go in \(trainRoot.lastPathComponent)/<class>/<file>.png|jpg")
        }
        let reader = ImageFolderReader(spec: spec, root: root, scale: scale, dataDirectory: dataDirectory,
                                       threads: threads)
        var skipped: [SkippedFile] = []
        let all = try reader.read(trainRoot, classes: classNames, classIndices: Array(classNames.indices),
                                  skipped: &skipped)
        var dataset: Dataset
        let shape = ImageShape(channels: spec.channels, height: spec.imageSize, width: spec.imageSize)
        let name = root.lastPathComponent
        if let testRoot {
            let testClasses = try subfolders(of: testRoot)
            let position = Dictionary(uniqueKeysWithValues: classNames.enumerated().map { ($1, $0) })
            let unknown = testClasses.filter { position[$0] == nil }
            guard unknown.isEmpty else {
                throw DatasetError(file: testRoot.path, "class folder(s) \(unknown.joined(separator: ", ")) not in train/ "
                                   + "(train classes: \(classNames.joined(separator: ", ")))")
            }
            let test = try reader.read(testRoot, classes: testClasses, classIndices: testClasses.map { position[$0]! },
                                       skipped: &skipped, everyClassNeeded: false)
            guard test.count > 0 else { throw DatasetError(file: testRoot.path, "holds no readable images") }
            dataset = Dataset(name: name, train: all, test: test, imageShape: shape, classNames: classNames,
                              hasOfficialTestSplit: true)
        } else {
            let (fit, held) = try holdout(all, fraction: testFraction, seed: seed, file: root.path)
            dataset = Dataset(name: name, train: fit, test: held, imageShape: shape, classNames: classNames,
                              hasOfficialTestSplit: false)
        }
        dataset.skippedFiles = skipped
        dataset.inputScale = scale
        return dataset
    }

    /// Non-hidden folders directly in `folder` (symbolic links to folders included), sorted.
    static func subfolders(of folder: URL) throws -> [String] {
        try entries(of: folder).filter { isFolder(folder.appendingPathComponent($0)) }
    }

    /// Non-hidden names in `folder`, sorted (Unicode order: code-point order for the same
    /// normalisation, as Python's `sorted`).
    static func entries(of folder: URL) throws -> [String] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        } catch {
            throw DatasetError(file: folder.path, "cannot be listed: \(error.localizedDescription)")
        }
        return names.filter { !$0.hasPrefix(".") }.sorted()
    }

    static func isFolder(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}

extension DatasetLoader {
    /// The files in `folder` and its subfolders (not hidden ones), depth first in name order.
    /// A folder reached twice through symbolic links is read once (no loops).
    static func filesBelow(_ folder: URL, visited: inout Set<String>) throws -> [URL] {
        guard visited.insert(folder.resolvingSymlinksInPath().standardizedFileURL.path).inserted else { return [] }
        var files: [URL] = []
        for name in try entries(of: folder) {
            let url = folder.appendingPathComponent(name)
            if isFolder(url) { files += try filesBelow(url, visited: &visited) } else { files.append(url) }
        }
        return files
    }
}
