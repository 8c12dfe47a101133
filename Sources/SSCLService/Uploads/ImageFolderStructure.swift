import Foundation

/// An unpacked image folder checked by its layout (the torchvision `ImageFolder` convention):
/// `<root>/<class>/…<image>`, or the same under `train/` (and `test/`). A single wrapping folder
/// (`archive/cats/…`) is looked through, which is how most archives are made. Runs before the
/// engine's loader so that a misplaced file or a missing class is named as such; the loader then
/// decodes every image (by content, whatever its extension).
struct ImageFolderStructure {
    /// The folder a job's `path` names.
    var root: URL
    var classes: [String]
    /// Images per class, train and test together.
    var counts: [Int]

    static func check(_ unpacked: URL) throws -> ImageFolderStructure {
        var root = unpacked
        while true {
            let (folders, files) = try entries(root)
            if files.isEmpty, folders.count == 1, !["train", "test"].contains(folders[0]) {
                root.appendPathComponent(folders[0])
            } else {
                break
            }
        }
        let (folders, _) = try entries(root)
        let splits = folders.contains("train") ? ["train"] + (folders.contains("test") ? ["test"] : []) : [""]
        var counts: [String: Int] = [:]
        for split in splits {
            let base = split.isEmpty ? root : root.appendingPathComponent(split)
            let (classFolders, stray) = try entries(base)
            if let file = stray.first {
                throw ArchiveExtractor.refusal("invalid_dataset", "\(relative(base.appendingPathComponent(file), to: unpacked)) "
                                               + "is a file where class folders are expected (<class>/<image>)")
            }
            for name in classFolders {
                counts[name, default: 0] += try fileCount(base.appendingPathComponent(name))
            }
        }
        let classes = counts.keys.sorted()
        guard classes.count >= 2 else {
            throw ArchiveExtractor.refusal("invalid_dataset", "an image folder needs at least 2 class folders "
                                           + "(<class>/<image>); found \(classes.count)")
        }
        if let empty = classes.first(where: { counts[$0] == 0 }) {
            throw ArchiveExtractor.refusal("invalid_dataset", "class folder \"\(empty)\" has no images")
        }
        return ImageFolderStructure(root: root, classes: classes, counts: classes.map { counts[$0]! })
    }

    /// Visible files in `folder` and its subfolders, as the loader reads them.
    private static func fileCount(_ folder: URL) throws -> Int {
        let (folders, files) = try entries(folder)
        return try folders.reduce(files.count) { $0 + (try fileCount(folder.appendingPathComponent($1))) }
    }

    /// Visible folders and files of `url`, sorted (hidden entries and `__MACOSX` ignored).
    private static func entries(_ url: URL) throws -> (folders: [String], files: [String]) {
        var folders: [String] = [], files: [String] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: url.path).sorted()
        where !name.hasPrefix(".") && name != "__MACOSX" {
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: url.appendingPathComponent(name).path, isDirectory: &isDirectory)
            if isDirectory.boolValue { folders.append(name) } else { files.append(name) }
        }
        return (folders, files)
    }

    private static func relative(_ url: URL, to base: URL) -> String {
        String(url.path.dropFirst(base.path.count + 1))
    }
}
