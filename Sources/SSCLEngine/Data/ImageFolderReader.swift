import Foundation

/// Reads the images of one split folder into a `DataSplit`.
struct ImageFolderReader {
    let spec: ImageFolderSpec
    let root: URL
    let scale: Float
    /// The service's data directory: every file opened must lie inside it (nil: no check).
    let dataDirectory: DataDirectory?
    /// `root`'s real path, to check where linked files lead.
    let resolvedRoot: String

    init(spec: ImageFolderSpec, root: URL, scale: Float, dataDirectory: DataDirectory?) {
        self.spec = spec
        self.root = root
        self.scale = scale
        self.dataDirectory = dataDirectory
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
            for file in files {
                switch image(at: file) {
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
            let planes = decoded.planes(channels: spec.channels, scale: scale)
            return .success(ImageResizer.resize(planes, channels: spec.channels, height: decoded.height,
                                                width: decoded.width, toHeight: spec.imageSize, toWidth: spec.imageSize))
        } catch {
            return .failure(error)
        }
    }

    private func relativePath(_ file: URL) -> String {
        let path = file.standardizedFileURL.path, prefix = root.standardizedFileURL.path + "/"
        return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
    }
}
