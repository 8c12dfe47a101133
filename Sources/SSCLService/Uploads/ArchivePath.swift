/// An archive entry's name checked before anything is written: relative, no `..`, no
/// backslashes or NUL, so every entry lands inside the extraction folder (no zip slip).
enum ArchivePath {
    /// The entry's path components (`.` and empty ones dropped); throws naming the entry.
    static func components(of name: String) throws -> [String] {
        if name.hasPrefix("/") || name.hasPrefix("\\") || name.dropFirst().hasPrefix(":") {
            throw ArchiveExtractor.refusal("absolute_path", "entry \(quoted(name)) has an absolute name")
        }
        if name.contains("\0") || name.contains("\\") {
            throw ArchiveExtractor.refusal("bad_entry_name", "entry \(quoted(name)) has a backslash or NUL in its name")
        }
        let parts = name.split(separator: "/", omittingEmptySubsequences: true).map(String.init).filter { $0 != "." }
        if parts.contains("..") {
            throw ArchiveExtractor.refusal("path_traversal", "entry \(quoted(name)) climbs out of the archive with ..")
        }
        return parts
    }

    /// The name as an error shows it: quoted, at most 200 characters.
    static func quoted(_ name: String) -> String {
        let shown = name.count > 200 ? String(name.prefix(200)) + "…" : name
        return "\"" + shown + "\""
    }
}
