import Foundation

/// The uploaded datasets under `<data-dir>/uploads/`: one folder per name holding the stored
/// file (`data.csv`, `data.npz`, `data.arff` or the unpacked `images/`) and `summary.json`.
/// The summary lives beside the files rather than in the job store: the two are created,
/// replaced (one rename of the folder) and deleted together, so they cannot drift apart, and
/// no migration is needed for data the store never queries. Bodies arrive in `.incoming/`
/// and are staged there, on the same file system, so committing is a rename.
final class DatasetUploads: @unchecked Sendable {
    let root: URL
    let incoming: URL
    let limits: ArchiveLimits
    /// Held while an upload is committed or deleted and while a job naming one is submitted,
    /// so a delete cannot slip between a job's check and its insert.
    private let lock = NSLock()

    init(dataDirectory: URL, limits: ArchiveLimits) {
        root = dataDirectory.appendingPathComponent("uploads", isDirectory: true)
        incoming = root.appendingPathComponent(".incoming", isDirectory: true)
        self.limits = limits
        // Leftovers of a crash mid-upload are no one's.
        try? FileManager.default.removeItem(at: incoming)
        try? FileManager.default.createDirectory(at: incoming, withIntermediateDirectories: true)
    }

    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    /// Why `name` is not a valid upload name, or nil when it is.
    static func problem(withName name: String) -> String? {
        if name.range(of: "^[A-Za-z0-9._-]{1,64}$", options: .regularExpression) == nil {
            return "must be 1 to 64 characters of A-Z, a-z, 0-9, '.', '_' and '-'"
        }
        if name.hasPrefix(".") { return "must not start with '.'" }
        return nil
    }

    func folder(_ name: String) -> URL { root.appendingPathComponent(name, isDirectory: true) }

    /// A path as a job names it: relative to the data directory.
    static func jobPath(_ name: String, _ file: String) -> String { "uploads/\(name)/\(file)" }

    func summary(_ name: String) -> UploadSummary? {
        guard Self.problem(withName: name) == nil,
              let data = try? Data(contentsOf: folder(name).appendingPathComponent("summary.json")) else { return nil }
        return try? JSONDecoder().decode(UploadSummary.self, from: data)
    }

    func list() -> [UploadSummary] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().compactMap(summary)
    }

    /// A fresh folder in `.incoming/` for an upload being checked.
    func makeStaging() throws -> URL {
        let staging = incoming.appendingPathComponent("stage-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        return staging
    }

    /// Moves a checked staging folder into place as `name` (call with the lock held).
    func commit(_ staging: URL, as name: String, summary: UploadSummary) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(summary).write(to: staging.appendingPathComponent("summary.json"), options: .atomic)
        let target = folder(name)
        var trash: URL?
        if FileManager.default.fileExists(atPath: target.path) {
            let old = incoming.appendingPathComponent("old-\(UUID().uuidString)")
            try FileManager.default.moveItem(at: target, to: old)
            trash = old
        }
        try FileManager.default.moveItem(at: staging, to: target)
        if let trash { try? FileManager.default.removeItem(at: trash) }
    }

    /// Deletes `name`'s folder (call with the lock held).
    func remove(_ name: String) throws {
        let old = incoming.appendingPathComponent("old-\(UUID().uuidString)")
        try FileManager.default.moveItem(at: folder(name), to: old)
        try? FileManager.default.removeItem(at: old)
    }
}
