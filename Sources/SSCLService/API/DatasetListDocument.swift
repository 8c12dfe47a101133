import Foundation

/// `GET /v1/datasets`: the built-in datasets, then the uploads.
struct DatasetListDocument: Encodable {
    var datasets: [DatasetDocument]
}
