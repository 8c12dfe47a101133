/// The formats `POST /v1/datasets` takes, and the file name each is kept under.
enum UploadFormat: String, CaseIterable, Sendable {
    case csv, npz, arff, imagefolder

    /// The stored file inside the upload's folder (image folders keep the unpacked `images/`).
    var fileName: String {
        switch self {
        case .csv: "data.csv"
        case .npz: "data.npz"
        case .arff: "data.arff"
        case .imagefolder: "images"
        }
    }
}
