import Foundation
import SSCLEngine

/// Dataset files named in a job must lie inside the server's data directory (relative paths
/// resolve against it), after following symlinks, so a job cannot read arbitrary files.
struct DatasetPathPolicy {
    let dataDirectory: URL

    func issues(for dataset: DatasetSpec) -> [(String, String)] {
        switch dataset.source {
        case .builtin:
            return []
        case let .idx(path):
            return check(path, field: "dataset.path")
        case let .csv(train, test, _):
            return check(train, field: "dataset.train") + (test.map { check($0, field: "dataset.test") } ?? [])
        case let .arff(train, test, _):
            return check(train, field: "dataset.train") + (test.map { check($0, field: "dataset.test") } ?? [])
        case let .npz(path, _):
            return check(path, field: "dataset.path")
        case let .npy(x, y, _):
            return check(x, field: "dataset.x") + check(y, field: "dataset.y")
        }
    }

    /// The absolute path a job's relative path means.
    func resolve(_ path: String) -> URL {
        path.hasPrefix("/") ? URL(fileURLWithPath: path) : dataDirectory.appendingPathComponent(path)
    }

    /// The data directory and the built-in datasets' folders, symlinks resolved.
    private var roots: [String] {
        ([dataDirectory] + DatasetLoader.builtinInfo().map { URL(fileURLWithPath: $0.location) })
            .map { $0.resolvingSymlinksInPath().standardizedFileURL.path }
    }

    private func check(_ path: String, field: String) -> [(String, String)] {
        let target = resolve(path).resolvingSymlinksInPath().standardizedFileURL.path
        guard roots.contains(where: { target == $0 || target.hasPrefix($0 + "/") }) else {
            let root = dataDirectory.resolvingSymlinksInPath().standardizedFileURL.path
            return [(field, "must be inside the data directory \(root) or a built-in dataset folder (symlinks are followed)")]
        }
        return []
    }
}
