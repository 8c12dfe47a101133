import Foundation

/// What `GET /v1/datasets/{name}` says of an upload, stored as `summary.json` beside its files
/// (written once at upload, read by the listing; the one type for both).
struct UploadSummary: Codable, Sendable, Equatable {
    /// The dataset section a job gets in place of `{"name": NAME}`: paths relative to the data
    /// directory, so the worker sees an ordinary path-based dataset.
    struct Source: Codable, Sendable, Equatable {
        var format: String
        var train: String?
        var path: String?
        var labelColumn: String?
        var kind: String?

        enum CodingKeys: String, CodingKey {
            case format, train, path, kind
            case labelColumn = "label_column"
        }
    }

    var name: String
    var format: String
    /// The uploaded body's size and SHA-256.
    var bytes: Int
    var sha256: String
    var uploadedAt: String
    var source: Source
    /// Rows (tabular) or images in all, train and test together.
    var rows: Int
    var trainRows: Int?
    var testRows: Int?
    /// Values per tabular row; nil for images.
    var features: Int?
    /// `[channels, height, width]` as decoded (image folders: at the job defaults, 3x32x32); nil
    /// for tabular rows.
    var imageShape: [Int]?
    var classes: [String]
    var classCounts: [Int]
    var imputedValues: Int
    var droppedColumns: [String]
    /// How the upload was checked: `loaded` (parsed once by the engine's loader).
    var validation: String

    enum CodingKeys: String, CodingKey {
        case name, format, bytes, sha256, source, rows, features, classes, validation
        case uploadedAt = "uploaded_at"
        case trainRows = "train_rows"
        case testRows = "test_rows"
        case imageShape = "image_shape"
        case classCounts = "class_counts"
        case imputedValues = "imputed_values"
        case droppedColumns = "dropped_columns"
    }
}
