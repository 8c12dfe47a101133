import Foundation
import SSCLEngine

/// Dataset files named in a job must lie inside the server's data directory (relative paths
/// resolve against it) or a built-in dataset's folder, after following symlinks, so a job
/// cannot read arbitrary files. This is the check at submit, for a clear 422; the worker
/// checks each file again where it opens it (`DataDirectory`, `DatasetLoader.load(within:)`),
/// because the file may be replaced in between.
struct DatasetPathPolicy {
    let dataDirectory: URL

    private var directory: DataDirectory { DataDirectory(dataDirectory) }

    func issues(for dataset: DatasetSpec) -> [(String, String)] {
        switch dataset.source {
        case .builtin:
            return []
        case let .idx(path):
            return check(path, field: "dataset.path")
        case let .imageFolder(folder):
            return check(folder.path, field: "dataset.path")
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

    private func check(_ path: String, field: String) -> [(String, String)] {
        let directory = self.directory
        let target = DataDirectory.resolvedPath(directory.resolve(path).path)
        guard directory.contains(realPath: target) else {
            return [(field, "must be inside the data directory \(directory.realPath) or a built-in dataset folder "
                     + "(symlinks are followed)")]
        }
        return []
    }
}
