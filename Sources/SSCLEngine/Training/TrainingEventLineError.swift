/// A line that is not a training event: not JSON, or a field missing or of the wrong type.
public struct TrainingEventLineError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The JSON path of the offending field (`result.steps`); empty when the line is not an object.
    public var field: String
    public var reason: String

    init(_ error: any Error) {
        guard let error = error as? DecodingError else {
            field = ""
            reason = "\(error)"
            return
        }
        func path(_ keys: [any CodingKey], _ last: (any CodingKey)? = nil) -> String {
            (keys + (last.map { [$0] } ?? [])).map { $0.intValue.map(String.init) ?? $0.stringValue }
                .joined(separator: ".")
        }
        switch error {
        case let .keyNotFound(key, context):
            field = path(context.codingPath, key)
            reason = "missing"
        case let .typeMismatch(type, context):
            field = path(context.codingPath)
            reason = "expected \(type)"
        case let .valueNotFound(type, context):
            field = path(context.codingPath)
            reason = "null where \(type) is needed"
        case let .dataCorrupted(context):
            field = path(context.codingPath)
            reason = context.codingPath.isEmpty ? "not JSON" : context.debugDescription
        @unknown default:
            field = ""
            reason = "\(error)"
        }
    }

    public var description: String { field.isEmpty ? reason : "\(field): \(reason)" }
}
