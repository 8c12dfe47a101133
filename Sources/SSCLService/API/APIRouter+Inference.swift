import Foundation
import SSCLHTTP

/// Using a job's encoder: embed, neighbours, the 2-D projection and single items (README,
/// "Using the encoder"). The work runs on the inference threads; the handler thread waits.
extension APIRouter {
    func embed(_ id: String, _ request: HTTPRequest, normalize: Bool) throws -> HTTPResponse {
        let job = try inferenceJob(id)
        let input: InferenceService.Input
        if let image = try imageBody(request) {
            input = .image(image)
        } else {
            input = .rows(try decodeBody(EmbedRequest.self, request).inputs)
        }
        return try inferring { try encodeBody(inference.embed(job, input, normalize: normalize)) }
    }

    func neighbors(_ id: String, _ request: HTTPRequest, k queryK: Int?) throws -> HTTPResponse {
        let job = try inferenceJob(id)
        let input: InferenceService.Input
        var k = queryK ?? 10
        if let image = try imageBody(request) {
            input = .image(image)
        } else {
            let body = try decodeBody(NeighborsRequest.self, request)
            input = .rows(body.inputs)
            k = body.k ?? k
        }
        return try inferring { try encodeBody(inference.neighbors(job, input, k: k)) }
    }

    func projection(_ id: String) throws -> HTTPResponse {
        let job = try inferenceJob(id)
        return try inferring { try encodeBody(inference.projection(job)) }
    }

    func item(_ id: String, _ request: HTTPRequest, _ query: QueryValues) throws -> HTTPResponse {
        let job = try inferenceJob(id)
        // The route is /v1/jobs/{id}/items/{index}: the index is the last path segment.
        let text = request.path.split(separator: "/").last.map(String.init) ?? ""
        guard let index = Int(text), index >= 0 else {
            throw Self.inferenceInvalid("index", "must be a row number (0, 1, ...), not \"\(text.prefix(40))\"", status: 404)
        }
        let split = InferenceService.Split(rawValue: query.string("split") ?? "test") ?? .test
        let k = query.int("k") ?? 5
        return try inferring { try encodeBody(inference.item(job, split: split, index: index, k: k)) }
    }

    // MARK: - Helpers

    private func inferenceJob(_ id: String) throws -> InferenceService.Job {
        let record = try job(id)
        return InferenceService.Job(id: id, directory: scheduler.directory(of: id), resolvedJSON: record.resolvedJSON)
    }

    /// A PNG or JPEG body's bytes; nil for JSON; 415 for anything else.
    private func imageBody(_ request: HTTPRequest) throws -> [UInt8]? {
        let type = request.headers["Content-Type"]?.split(separator: ";").first?
            .trimmingCharacters(in: .whitespaces).lowercased()
        switch type {
        case "image/png", "image/jpeg": return [UInt8](request.body)
        case "application/json": return nil
        default:
            throw APIError(status: 415, code: "unsupported_media_type",
                           message: "send {\"inputs\": [[...]]} as Content-Type: application/json, or one image as image/png or image/jpeg")
        }
    }

    /// Decodes a JSON body; a wrong type or a missing field is 400 naming the field.
    private func decodeBody<T: Decodable>(_ type: T.Type, _ request: HTTPRequest) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: request.body)
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw Self.inferenceInvalid(Self.fieldPath(context.codingPath), context.debugDescription, status: 400)
        } catch let DecodingError.keyNotFound(key, context) {
            throw Self.inferenceInvalid(Self.fieldPath(context.codingPath + [key]), "is required", status: 400)
        } catch {
            throw APIError(status: 400, code: "malformed_json", message: "the body is not valid JSON such as {\"inputs\": [[0.5, 1.0]]}")
        }
    }

    /// `inputs[2][5]` from a decoding path.
    static func fieldPath(_ path: [any CodingKey]) -> String {
        var out = ""
        for key in path {
            if let i = key.intValue { out += "[\(i)]" } else { out += (out.isEmpty ? "" : ".") + key.stringValue }
        }
        return out.isEmpty ? "body" : out
    }

    private func encodeBody<T: Encodable>(_ value: T) throws -> HTTPResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return .json(200, try encoder.encode(value))
    }

    /// Runs `body`, mapping the inference errors to statuses.
    private func inferring(_ body: () throws -> HTTPResponse) throws -> HTTPResponse {
        do {
            return try body()
        } catch let error as InferenceError {
            switch error {
            case let .noModel(job):
                throw APIError(status: 409, code: "no_model", message: "job \(job) has no weights yet: no checkpoint and no model")
            case let .noItem(index, split, count):
                throw APIError.notFound("no item \(index) in the \(split) split: its indices are 0..<\(count)")
            case let .invalidInput(field, reason):
                throw Self.inferenceInvalid(field, reason, status: 422)
            case let .busy(requests):
                throw APIError(status: 503, code: "busy", message: "\(requests) inference requests are already running or waiting; try again",
                               headers: ["Retry-After": "1"])
            case let .unavailable(message):
                throw APIError(status: 409, code: "not_available", message: message)
            }
        }
    }

    static func inferenceInvalid(_ field: String, _ reason: String, status: Int) -> APIError {
        APIError(status: status, code: "invalid_input", message: "\(field): \(reason)", details: [(path: field, reason: reason)])
    }
}
