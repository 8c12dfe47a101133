#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import ZIPFoundation

/// Unpacks an uploaded image-folder archive (zip, tar or tar.gz, told apart by their first
/// bytes) into an empty folder, refusing before or while writing: names that are absolute or
/// climb out with `..` (zip slip), links of any kind, entries that are neither file nor folder,
/// more than `maxEntries` entries, and unpacked bytes over the expansion ratio (bombs). Zip
/// archives are checked on their declared sizes first; every format is also checked on the
/// bytes actually written, since declared sizes can lie. A refusal is a 422 naming the entry;
/// the caller removes the half-written folder.
enum ArchiveExtractor {
    enum Kind: String { case zip, tar, gzip }

    static func refusal(_ code: String, _ message: String) -> APIError {
        APIError(status: 422, code: code, message: message)
    }

    /// The archive's kind from its magic bytes (a ustar header says "ustar" at offset 257).
    static func kind(of url: URL) throws -> Kind {
        let head = try FileByteSource(url).read(512)
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) || head.starts(with: [0x50, 0x4B, 0x05, 0x06]) { return .zip }
        if head.starts(with: [0x1F, 0x8B]) { return .gzip }
        if head.count == 512, String(decoding: head[257..<262], as: UTF8.self) == "ustar" { return .tar }
        throw refusal("unsupported_archive", "an imagefolder upload must be a .zip, .tar or .tar.gz archive (the body is none of them)")
    }

    /// Unpacks `archive` into `folder` (which must exist and be empty); returns the entry count.
    @discardableResult
    static func extract(_ archive: URL, into folder: URL, limits: ArchiveLimits) throws -> Int {
        let archiveBytes = (try? FileManager.default.attributesOfItem(atPath: archive.path)[.size] as? Int) ?? 0
        var writer = Writer(root: folder, limits: limits, allowedBytes: limits.allowedBytes(archiveBytes: archiveBytes))
        switch try kind(of: archive) {
        case .zip: try extractZip(archive, writer: &writer)
        case .tar: try extractTar(TarReader(try FileByteSource(archive)), writer: &writer)
        case .gzip: try extractTar(TarReader(try GzipByteSource(try FileByteSource(archive))), writer: &writer)
        }
        return writer.entries
    }

    private static func extractTar(_ reader: TarReader, writer: inout Writer) throws {
        try reader.forEach { entry, readChunk in
            switch entry.kind {
            case .directory:
                try writer.directory(entry.name)
            case .file:
                try writer.file(entry.name, declaredSize: entry.size) { write in
                    while let chunk = try readChunk() { try write(chunk) }
                }
            }
        }
    }

    private static func extractZip(_ url: URL, writer: inout Writer) throws {
        let archive: Archive
        do {
            archive = try Archive(url: url, accessMode: .read, pathEncoding: nil)
        } catch {
            throw refusal("corrupt_archive", "the zip archive cannot be read: \(error)")
        }
        // Everything checked on the central directory first: no byte is written for an archive
        // that declares a link, a bad name, too many entries or too many bytes.
        var entries: [Entry] = []
        var declared = 0
        for entry in archive {
            entries.append(entry)
            guard entries.count <= writer.limits.maxEntries else {
                throw refusal("too_many_entries", "the archive has more than \(writer.limits.maxEntries) entries")
            }
            _ = try ArchivePath.components(of: entry.path)
            if entry.type == .symlink {
                throw refusal("link_entry", "entry \(ArchivePath.quoted(entry.path)) is a symbolic link; links are refused")
            }
            declared += Int(clamping: entry.uncompressedSize)
            guard declared <= writer.allowedBytes else {
                throw refusal("expansion_too_large", "the archive declares \(declared)+ unpacked bytes, more than "
                              + "\(writer.limits.maxExpansionRatio) times its size (limit \(writer.allowedBytes) bytes)")
            }
        }
        for entry in entries {
            if entry.type == .directory {
                try writer.directory(entry.path)
                continue
            }
            try writer.file(entry.path, declaredSize: Int(clamping: entry.uncompressedSize)) { write in
                do {
                    _ = try archive.extract(entry, bufferSize: 64 << 10, skipCRC32: false) { data in try write([UInt8](data)) }
                } catch let error as APIError {
                    throw error
                } catch {
                    throw refusal("corrupt_archive", "entry \(ArchivePath.quoted(entry.path)) cannot be unpacked: \(error)")
                }
            }
        }
    }

    /// Creates what the entries name under `root`, counting entries and bytes as it goes.
    struct Writer {
        let root: URL
        let limits: ArchiveLimits
        let allowedBytes: Int
        var entries = 0
        var written = 0

        init(root: URL, limits: ArchiveLimits, allowedBytes: Int) {
            self.root = root
            self.limits = limits
            self.allowedBytes = allowedBytes
        }

        private mutating func count() throws {
            entries += 1
            guard entries <= limits.maxEntries else {
                throw refusal("too_many_entries", "the archive has more than \(limits.maxEntries) entries")
            }
        }

        /// macOS's archive metadata (`__MACOSX/`, `._name` resource forks, `.DS_Store`): checked
        /// like any entry, then not written, so it cannot pass for a class folder or an image.
        static func isMetadata(_ parts: [String]) -> Bool {
            parts.contains("__MACOSX") || parts.last.map { $0.hasPrefix("._") || $0 == ".DS_Store" } ?? false
        }

        mutating func directory(_ name: String) throws {
            try count()
            let parts = try ArchivePath.components(of: name)
            guard !parts.isEmpty, !Self.isMetadata(parts) else { return }
            try FileManager.default.createDirectory(at: url(parts), withIntermediateDirectories: true)
        }

        /// Writes one file; `fill` calls the writer it gets with the data in chunks.
        mutating func file(_ name: String, declaredSize: Int,
                           fill: (_ write: ([UInt8]) throws -> Void) throws -> Void) throws {
            try count()
            let parts = try ArchivePath.components(of: name)
            guard !parts.isEmpty else { throw refusal("bad_entry_name", "an entry has an empty name") }
            // The declared size first (a tar header's, a zip entry's), then the bytes as written.
            guard declaredSize <= allowedBytes - written else {
                throw refusal("expansion_too_large", "entry \(ArchivePath.quoted(name)) declares \(declaredSize) bytes, more than "
                              + "\(limits.maxExpansionRatio) times the archive's size allows (limit \(allowedBytes) bytes in all)")
            }
            // Not extracted (the tar reader skips its declared, already checked, size).
            if Self.isMetadata(parts) { return }
            let target = url(parts)
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            // O_EXCL | O_NOFOLLOW: never through a link, never over an earlier entry of the same name.
            let descriptor = open(target.path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else {
                throw refusal("bad_entry_name", "entry \(ArchivePath.quoted(name)) cannot be created (it appears twice, or under a file)")
            }
            defer { close(descriptor) }
            var total = written
            let allowed = allowedBytes, ratio = limits.maxExpansionRatio
            try fill { chunk in
                total += chunk.count
                guard total <= allowed else {
                    throw refusal("expansion_too_large", "the archive unpacks to more than \(ratio) times its size "
                                  + "(limit \(allowed) bytes; stopped at \(ArchivePath.quoted(name)))")
                }
                var offset = 0
                while offset < chunk.count {
                    let n = chunk.withUnsafeBytes { posixWrite(descriptor, $0.baseAddress! + offset, chunk.count - offset) }
                    if n < 0 && errno == EINTR { continue }
                    guard n > 0 else { throw APIError(status: 507, code: "disk_full", message: "the server could not write the unpacked archive") }
                    offset += n
                }
            }
            written = total
        }

        private func url(_ parts: [String]) -> URL {
            parts.reduce(root) { $0.appendingPathComponent($1) }
        }
    }
}
