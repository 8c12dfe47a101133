import Foundation

extension DatasetLoader {
    /// A dataset file's bytes, or an error naming it; with `dataDirectory`, the opened file
    /// must lie inside it (see `DatasetFile`, which CSV and IDX files go through as well).
    static func readDatasetFile(_ url: URL, within dataDirectory: DataDirectory? = nil) throws -> Data {
        Data(try DatasetFile.read(url, within: dataDirectory))
    }
}
