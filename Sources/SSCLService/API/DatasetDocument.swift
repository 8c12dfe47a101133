import Foundation
import SSCLEngine

/// A dataset as `GET /v1/datasets` lists it: a built-in one (its shape, classes and split
/// sizes, and whether its files are on disk) or an upload (its `UploadSummary`, with
/// `builtin` false and `available` true), which `GET /v1/datasets/{name}` and the upload show.
enum DatasetDocument: Encodable {
    case builtin(BuiltinDatasetInfo)
    case upload(UploadSummary)

    enum CodingKeys: String, CodingKey {
        case name, builtin, summary, classes, available, shape
        case trainCount = "train_count", testCount = "test_count", officialTestSplit = "official_test_split"
    }

    func encode(to encoder: any Encoder) throws {
        switch self {
        case .builtin(let info):
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(info.name, forKey: .name)
            try c.encode(true, forKey: .builtin)
            try c.encode(info.summary, forKey: .summary)
            try c.encode(info.numClasses, forKey: .classes)
            try c.encode(info.trainCount, forKey: .trainCount)
            try c.encode(info.testCount, forKey: .testCount)
            try c.encode(info.hasOfficialTestSplit, forKey: .officialTestSplit)
            try c.encode(info.available, forKey: .available)
            try c.encode(info.imageShape.dimensions, forKey: .shape)
        case .upload(let summary):
            try summary.encode(to: encoder)
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(false, forKey: .builtin)
            try c.encode(true, forKey: .available)
        }
    }
}
