import Foundation

/// The folders a job's dataset files may come from: the server's data directory and the
/// built-in datasets' folders, compared by real path (symlinks resolved). The service checks a
/// job's paths with it at submit (`DatasetPathPolicy`), and `DatasetLoader` checks every file
/// again where it opens it (`DatasetFile`), so a file swapped for a symlink after submit is
/// refused, not read.
public struct DataDirectory: Sendable, Equatable {
    /// The data directory as configured (relative job paths resolve against it).
    public let url: URL

    public init(_ url: URL) { self.url = url.standardizedFileURL }

    /// What a job's path means: an absolute path as is, a relative one inside the data directory.
    /// No `~` expansion: a path means the same to the API and to the worker.
    public func resolve(_ path: String) -> URL {
        (path.hasPrefix("/") ? URL(fileURLWithPath: path) : url.appendingPathComponent(path)).standardizedFileURL
    }

    /// The real path of the data directory itself (as configured when it does not exist yet).
    public var realPath: String { Self.realPath(url.path) ?? url.path }

    /// The real paths of the data directory and of the built-in datasets' folders.
    public var roots: [String] {
        [realPath] + DatasetLoader.builtinInfo().map { Self.realPath($0.location) ?? $0.location }
    }

    /// Whether `realPath` (already free of symlinks, `.` and `..`) lies inside one of the roots.
    public func contains(realPath: String) -> Bool {
        roots.contains { root in realPath == root || realPath.hasPrefix(root.hasSuffix("/") ? root : root + "/") }
    }

    /// Throws unless `realPath` lies inside; `path` is what the error names (the job's path,
    /// not where it leads).
    func requireInside(realPath: String, shownAs path: String) throws {
        guard contains(realPath: realPath) else {
            throw DatasetError(file: path, "is outside the data directory \(self.realPath) and the built-in "
                               + "dataset folders (symlinks are followed)")
        }
    }

    /// Where `path` leads: its real path when it exists, else with the symlinks of the part
    /// that exists followed (a dangling symlink to outside is still outside).
    public static func resolvedPath(_ path: String) -> String { resolvedPath(path, links: 0) }

    private static func resolvedPath(_ path: String, links: Int) -> String {
        if let real = realPath(path) { return real }
        let url = URL(fileURLWithPath: path).standardizedFileURL
        guard links < 40, url.path != "/" else { return url.path }  // 40: the kernel's own limit
        let parent = url.deletingLastPathComponent()
        if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: url.path) {
            return resolvedPath(target.hasPrefix("/") ? target : parent.appendingPathComponent(target).path, links: links + 1)
        }
        return URL(fileURLWithPath: resolvedPath(parent.path, links: links + 1))
            .appendingPathComponent(url.lastPathComponent).path
    }

    /// The path with every symlink, `.` and `..` resolved by the kernel; nil when it does not exist.
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
