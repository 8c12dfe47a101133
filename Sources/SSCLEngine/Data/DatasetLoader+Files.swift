import Foundation

extension DatasetLoader {
    /// A dataset file's bytes, or an error naming it.
    static func readDatasetFile(_ url: URL) throws -> Data {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw DatasetError(file: url.path, "file not found or unreadable")
        }
        return data
    }
}
