import Foundation
import SSCLEngine
import SSCLHTTP
import SSCLStore

/// Uploaded datasets: `POST /v1/datasets` (the body streamed to a file by the HTTP server),
/// listing, reading and deleting them, and turning a job's `{"name": UPLOAD}` into the stored
/// source so the worker gets an ordinary path-based dataset.
extension APIRouter {
    /// Only the upload route takes its body as a file, and only from a caller the token check
    /// would let through: anyone else gets the in-memory cap (413 beyond 1 MiB, else 401), so an
    /// unauthenticated client cannot write gigabytes to disk.
    func bodyDestination(for request: HTTPRequest) -> HTTPBodyDestination {
        guard request.method == "POST", request.path == "/v1/datasets" else { return .memory }
        guard (try? TokenCheck(configuration: configuration).handle(request, next: { _ in .json(200, Data()) })) != nil
        else { return .memory }
        return .file(directory: uploads.incoming, maxBytes: configuration.maxUploadBytes)
    }

    func listDatasets() throws -> HTTPResponse {
        let list = DatasetLoader.builtinInfo().map(DatasetDocument.builtin) + uploads.list().map(DatasetDocument.upload)
        return .json(200, try JSONBody.data(DatasetListDocument(datasets: list)))
    }

    func getDataset(_ name: String) throws -> HTTPResponse {
        guard let summary = uploads.summary(name) else { throw APIError.notFound("no uploaded dataset named \(name)") }
        return .json(200, try JSONBody.data(DatasetDocument.upload(summary)))
    }

    func deleteDataset(_ name: String) throws -> HTTPResponse {
        try uploads.withLock {
            guard uploads.summary(name) != nil else { throw APIError.notFound("no uploaded dataset named \(name)") }
            if let job = try jobUsing(name) {
                throw APIError.conflict("dataset \(name) is used by \(job.status.rawValue) job \(job.id)")
            }
            try uploads.remove(name)
        }
        logger.info("dataset deleted", metadata: ["dataset": "\(name)"])
        return HTTPResponse(status: 204)
    }

    func uploadDataset(_ request: HTTPRequest, _ query: QueryValues) throws -> HTTPResponse {
        let name = query.string("name") ?? ""
        if let problem = DatasetUploads.problem(withName: name) { throw Self.invalid([("name", problem)], status: 400) }
        guard let format = query.string("format").flatMap(UploadFormat.init(rawValue:)) else {
            throw Self.invalid([("format", "required: one of " + UploadFormat.allCases.map(\.rawValue).joined(separator: ", "))], status: 400)
        }
        let replace = query.bool("replace") ?? false
        if DatasetLoader.builtinNames.contains(name) {
            throw APIError.conflict("\(name) is a built-in dataset; choose another name")
        }
        if !replace, uploads.summary(name) != nil {
            throw APIError.conflict("a dataset named \(name) exists; add replace=true to replace it")
        }
        let staging = try uploads.makeStaging()
        defer { try? FileManager.default.removeItem(at: staging) }
        let stored = staging.appendingPathComponent(format == .imagefolder ? "upload.archive" : format.fileName)
        if let file = request.bodyFile {
            try FileManager.default.moveItem(at: file, to: stored)
        } else {
            try request.body.write(to: stored)
        }
        let bytes = (try FileManager.default.attributesOfItem(atPath: stored.path)[.size] as? Int) ?? 0
        let sha256 = try Self.sha256(of: stored)
        var summary = try validate(stored, format: format, name: name, staging: staging, query: query)
        summary.bytes = bytes
        summary.sha256 = sha256
        try uploads.withLock {
            if uploads.summary(name) != nil {
                guard replace else { throw APIError.conflict("a dataset named \(name) exists; add replace=true to replace it") }
                if let job = try jobUsing(name) {
                    throw APIError.conflict("dataset \(name) is used by \(job.status.rawValue) job \(job.id); it cannot be replaced now")
                }
            }
            try uploads.commit(staging, as: name, summary: summary)
        }
        logger.info("dataset uploaded", metadata: ["dataset": "\(name)", "format": "\(format.rawValue)", "bytes": "\(bytes)"])
        return .json(201, try JSONBody.data(DatasetDocument.upload(summary)), headers: ["Location": "/v1/datasets/\(name)"])
    }

    /// Parses the staged upload once, with the engine's loader (or, for image folders, by
    /// structure), and describes it.
    private func validate(_ stored: URL, format: UploadFormat, name: String, staging: URL,
                          query: QueryValues) throws -> UploadSummary {
        let now = RFC3339.string(from: Date())
        var source = UploadSummary.Source(format: format.rawValue)
        let engineSource: DatasetSource
        switch format {
        case .csv:
            let label = query.string("label_column") ?? "label"
            source.train = DatasetUploads.jobPath(name, format.fileName)
            source.labelColumn = label
            engineSource = .csv(train: stored.path, test: nil, labelColumn: label)
        case .arff:
            source.train = DatasetUploads.jobPath(name, format.fileName)
            source.labelColumn = query.string("label_column")
            engineSource = .arff(train: stored.path, test: nil, labelColumn: source.labelColumn)
        case .npz:
            let kind = query.string("kind").flatMap(ArrayKind.init(rawValue:)) ?? .tabular
            source.path = DatasetUploads.jobPath(name, format.fileName)
            source.kind = kind.rawValue
            engineSource = .npz(path: stored.path, kind: kind)
        case .imagefolder:
            let images = staging.appendingPathComponent(format.fileName, isDirectory: true)
            try FileManager.default.createDirectory(at: images, withIntermediateDirectories: true)
            try ArchiveExtractor.extract(stored, into: images, limits: uploads.limits)
            try? FileManager.default.removeItem(at: stored)
            // The layout first (its errors name the misplaced entry), then every image decoded
            // by the engine at the job defaults (32x32, 3 channels; a job may choose others).
            let structure = try ImageFolderStructure.check(images)
            let inside = String(structure.root.path.dropFirst(images.path.count))
            source.path = DatasetUploads.jobPath(name, format.fileName + inside)
            engineSource = .imageFolder(ImageFolderSpec(path: structure.root.path))
        }
        let dataset: Dataset
        do {
            dataset = try DatasetLoader.load(DatasetSpec(source: engineSource), seed: 0,
                                             within: DataDirectory(configuration.dataDirectory))
        } catch let error as DatasetError {
            // Named as the client knows it, not by the staging path on the server.
            let message = "\(error)".replacingOccurrences(of: stored.path, with: "the upload")
            let shown = message.replacingOccurrences(of: staging.path + "/", with: "")
            throw APIError(status: 422, code: "invalid_dataset", message: "the \(format.rawValue) file is invalid: \(shown)")
        }
        let counts = zip(dataset.train.classCounts(numClasses: dataset.numClasses),
                         dataset.test.classCounts(numClasses: dataset.numClasses)).map { $0 + $1 }
        return UploadSummary(
            name: name, format: format.rawValue, bytes: 0, sha256: "", uploadedAt: now, source: source,
            rows: dataset.train.count + dataset.test.count, trainRows: dataset.train.count, testRows: dataset.test.count,
            features: dataset.isImage ? nil : dataset.rowSize, imageShape: dataset.imageShape?.dimensions,
            classes: dataset.classNames, classCounts: counts, imputedValues: dataset.imputedValues,
            droppedColumns: dataset.droppedColumns, validation: "loaded")
    }

    /// The hex SHA-256 of a file, read a megabyte at a time. Hashed here, on the handler thread,
    /// rather than chunk by chunk on the event loop as the body arrives: the loop stays free
    /// for every other connection, and the second read comes from the page cache.
    static func sha256(of url: URL) throws -> String {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(chunk) }
        return hasher.finalizeHex()
    }

    /// A queued or running job whose dataset files lie in upload `name`'s folder.
    func jobUsing(_ name: String) throws -> JobRecord? {
        let folder = uploads.folder(name).standardizedFileURL.path + "/"
        let directory = DataDirectory(configuration.dataDirectory)
        for status in [JobStatus.queued, .running] {
            var cursor: String?
            repeat {
                let page = try store.listJobs(status: status, limit: 500, cursor: cursor)
                for job in page.jobs {
                    guard let value = try? JSONValue.parse(Data(job.resolvedJSON.utf8)), let dataset = value["dataset"],
                          case .object(let members) = dataset else { continue }
                    for member in members where ["path", "train", "test", "x", "y"].contains(member.key) {
                        if case .string(let path) = member.value, directory.resolve(path).path.hasPrefix(folder) { return job }
                    }
                }
                cursor = page.nextCursor
            } while cursor != nil
        }
        return nil
    }

    /// The job document with `dataset.name` naming an upload replaced by the upload's stored
    /// source (the dataset's other keys kept); unchanged for built-ins and anything else.
    func resolvingUploadName(_ body: Data) -> Data {
        guard let document = try? JSONValue.parse(body), case .object(var members) = document,
              let index = members.firstIndex(where: { $0.key == "dataset" }),
              case .object(var dataset) = members[index].value,
              let nameIndex = dataset.firstIndex(where: { $0.key == "name" }),
              case .string(let name) = dataset[nameIndex].value,
              !DatasetLoader.builtinNames.contains(name), let summary = uploads.summary(name) else { return body }
        let source = summary.source
        var replacement = [JSONMember("format", .string(source.format))]
        if let train = source.train { replacement.append(JSONMember("train", .string(train))) }
        if let path = source.path { replacement.append(JSONMember("path", .string(path))) }
        if let label = source.labelColumn { replacement.append(JSONMember("label_column", .string(label))) }
        if let kind = source.kind { replacement.append(JSONMember("kind", .string(kind))) }
        dataset.remove(at: nameIndex)
        dataset.insert(contentsOf: replacement, at: nameIndex)
        members[index].value = .object(dataset)
        return JSONValue.object(members).jsonData()
    }
}
