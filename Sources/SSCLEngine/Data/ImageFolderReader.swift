import Foundation

/// Reads the images of one split folder into a `DataSplit`.
struct ImageFolderReader {
    let spec: ImageFolderSpec
    let root: URL
    let scale: Float
    /// `root` with symbolic links resolved, to check where linked files lead.
    let resolvedRoot: String

    init(spec: ImageFolderSpec, root: URL, scale: Float) {
        self.spec = spec
        self.root = root
        self.scale = scale
        resolvedRoot = root.resolvingSymlinksInPath().standardizedFileURL.path
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
        let target = file.resolvingSymlinksInPath().standardizedFileURL.path
        guard target.hasPrefix(resolvedRoot + "/") else {
            return .failure(ImageDecoder.Failure("is a symbolic link to \(target), outside the image folder"))
        }
        // Not a pipe or a device: reading one could block for ever.
        let type = (try? FileManager.default.attributesOfItem(atPath: target))?[.type] as? FileAttributeType
        guard type == .typeRegular else { return .failure(ImageDecoder.Failure("is not a regular file")) }
        let data: Data
        do {
            data = try Data(contentsOf: file, options: .mappedIfSafe)  // a stray huge file is not read whole
        } catch {
            return .failure(ImageDecoder.Failure("cannot be read: \(error.localizedDescription)"))
        }
        do {
            let decoded = try ImageDecoder.decode(data)
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
