import Foundation
import SSCLEngine
import SSCLHTTP
import SSCLStore

/// Health, Prometheus metrics, defaults and the dashboard's static files.
extension APIRouter {
    func healthz() throws -> HTTPResponse {
        let counts = try store.countsByStatus()
        return .json(200, try JSONBody.data(HealthDocument(
            status: "ok", version: SSCLVersion.string,
            jobs: Dictionary(uniqueKeysWithValues: JobStatus.allCases.map { ($0.rawValue, counts[$0] ?? 0) }))))
    }

    func prometheus() throws -> HTTPResponse {
        let text = telemetry.prometheusText(jobCounts: try store.countsByStatus(),
                                            trainingImagesPerSecond: scheduler.trainingImagesPerSecond,
                                            openStreams: streams.count)
        return .text(200, text, contentType: "text/plain; version=0.0.4; charset=utf-8")
    }

    /// A complete default job on the shipped fashion-mnist-mini, for the dashboard's editor.
    func defaults() throws -> HTTPResponse {
        var spec = JobSpec(dataset: DatasetSpec(source: .builtin("fashion-mnist-mini")))
        spec.name = "fmnist-mini-sscl"
        spec.batchSize = 100
        spec.epochs = 10
        spec.eval.knnK = 50
        return .json(200, try JSONBody.data(ResolvedJobDocument(job: JSONBody.value(String(decoding: spec.jsonData(pretty: false), as: UTF8.self)))))
    }

    /// Files of `Public/`; `/` is `index.html`. Paths are checked segment by segment after
    /// percent-decoding (no `..`, no hidden files) and the resolved file must stay inside.
    func staticFile(_ path: String) -> HTTPResponse? {
        guard let root = configuration.publicDirectory else { return nil }
        let relative = path == "/" ? "index.html" : String(path.dropFirst())
        let segments = relative.split(separator: "/", omittingEmptySubsequences: false)
        guard !segments.isEmpty,
              segments.allSatisfy({ !$0.isEmpty && !$0.hasPrefix(".") && !$0.contains("\\") && !$0.contains("\0") })
        else { return nil }
        let rootPath = root.resolvingSymlinksInPath().standardizedFileURL.path
        let file = root.appendingPathComponent(relative).resolvingSymlinksInPath().standardizedFileURL
        guard file.path.hasPrefix(rootPath + "/") else { return nil }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file.path, isDirectory: &isDirectory), !isDirectory.boolValue else { return nil }
        return .file(file, contentType: Self.contentType(file.pathExtension), headers: ["Cache-Control": "no-cache"])
    }

    static func contentType(_ ext: String) -> String {
        switch ext.lowercased() {
        case "html": "text/html; charset=utf-8"
        case "js", "mjs": "text/javascript; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "json": "application/json"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        case "ico": "image/x-icon"
        case "txt": "text/plain; charset=utf-8"
        default: "application/octet-stream"
        }
    }
}
