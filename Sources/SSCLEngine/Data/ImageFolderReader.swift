import Foundation

/// Reads the images of one split folder into a `DataSplit`.
struct ImageFolderReader {
    let spec: ImageFolderSpec
    let root: URL
    let scale: Float
    /// The service's data directory: every file opened must lie inside it (nil: no check).
    let dataDirectory: DataDirectory?
    /// Threads decoding the files of a class at once (the job's `threads`).
    let threads: Int
    /// `root`'s real path, to check where linked files lead.
    let resolvedRoot: String

    init(spec: ImageFolderSpec, root: URL, scale: Float, dataDirectory: DataDirectory?, threads: Int = 1) {
        self.spec = spec
        self.root = root
        self.scale = scale
        self.dataDirectory = dataDirectory
        self.threads = max(1, threads)
        resolvedRoot = DataDirectory.realPath(root.path) ?? root.standardizedFileURL.path
    }

    /// Every image of `split/<classes[i]>/...` labelled `classIndices[i]`, in class then name
    /// order. With `everyClassNeeded`, a class without a readable image is an error.
    func read(_ split: URL, classes: [String], classIndices: [Int], skipped: inout [SkippedFile],
              everyClassNeeded: Bool = true) throws -> DataSplit {
        let side = spec.imageSize, rowSize = spec.channels * side * side
        var features: [Float] = []
        var labels: [Int] = []
        for (name, label) in zip(classes, classIndices) {
            let folder = split.appendingPathComponent(name, isDirectory: true)
            var visited: Set<String> = []
            let files = try DatasetLoader.filesBelow(folder, visited: &visited)
            var read = 0, bad = 0
            for (file, result) in zip(files, images(at: files)) {
                switch result {
                case .success(let row):
                    features += row
                    labels.append(label)
                    read += 1
                case .failure(let failure):
                    guard spec.skipBad else { throw DatasetError(file: file.path, failure.reason) }
                    skipped.append(SkippedFile(path: relativePath(file), reason: failure.reason))
                    bad += 1
                }
            }
            if read == 0 && everyClassNeeded {
                throw DatasetError(file: folder.path, bad == 0 ? "class folder holds no files"
                                   : "class folder holds no readable images (\(bad) skipped)")
            }
        }
        return labels.isEmpty ? .empty(rowSize: rowSize) : DataSplit(features: features, labels: labels, rowSize: rowSize)
    }

    /// `image(at:)` of every file, in order; with several threads, each decodes every
    /// `threads`-th file (on GCD's threads, not Swift's cooperative pool), so the result does
    /// not depend on the thread count.
    private func images(at files: [URL]) -> [Result<[Float], ImageDecoder.Failure>] {
        let workers = min(threads, files.count)
        guard workers > 1 else { return files.map(image(at:)) }
        let results = DecodedRows(count: files.count)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            for i in stride(from: worker, to: files.count, by: workers) { results.set(i, image(at: files[i])) }
        }
        return results.all
    }

    /// One file as a row of [channels, imageSize, imageSize] values.
    private func image(at file: URL) -> Result<[Float], ImageDecoder.Failure> {
        let target = DataDirectory.resolvedPath(file.path)
        guard target.hasPrefix(resolvedRoot + "/") else {
            return .failure(ImageDecoder.Failure("is a symbolic link to \(target), outside the image folder"))
        }
        let bytes: [UInt8]
        do {
            // Regular files only (a pipe would block) and, for the service, inside its data directory.
            bytes = try DatasetFile.read(file, within: dataDirectory)
        } catch let error as DatasetError {
            return .failure(ImageDecoder.Failure(error.problem))
        } catch {
            return .failure(ImageDecoder.Failure("cannot be read: \(error)"))
        }
        do {
            let decoded = try ImageDecoder.decode(bytes)
            return .success(decoded.row(channels: spec.channels, scale: scale, height: spec.imageSize, width: spec.imageSize))
        } catch {
            return .failure(error)
        }
    }

    private func relativePath(_ file: URL) -> String {
        let path = file.standardizedFileURL.path, prefix = root.standardizedFileURL.path + "/"
        return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
    }
}

/// The decoded rows of a class, filled in by the decoding threads.
private final class DecodedRows: @unchecked Sendable {
    private let lock = NSLock()
    private var rows: [Result<[Float], ImageDecoder.Failure>?]

    init(count: Int) { rows = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ row: Result<[Float], ImageDecoder.Failure>) {
        lock.withLock { rows[index] = row }
    }

    /// Every row; call after the threads are done.
    var all: [Result<[Float], ImageDecoder.Failure>] { lock.withLock { rows.map { $0! } } }
}
