/// Reads a ustar archive (POSIX.1-1988, what `tar` writes by default for short names) from a
/// byte source, one 512-byte header at a time, handing each regular file's bytes to a consumer
/// in chunks. Written here because no tar library is in the package mirror, and the format is
/// small: a header block, the data padded to 512, two zero blocks at the end. Everything that
/// is not a plain file or folder is refused by name: symlinks and hardlinks (they could point
/// outside the folder), device files, and pax / GNU long-name headers (the names they carry
/// would have to be trusted too; archives with names up to 255 bytes do not need them).
final class TarReader {
    enum EntryKind { case file, directory }

    struct Entry {
        var name: String
        var kind: EntryKind
        var size: Int
    }

    private let source: any ByteSource

    init(_ source: any ByteSource) { self.source = source }

    /// Calls `entry` for each entry with a function that reads its data in chunks (files only;
    /// the reader skips what the caller leaves unread).
    func forEach(_ body: (Entry, _ readChunk: () throws -> [UInt8]?) throws -> Void) throws {
        while true {
            let header = try source.read(512)
            if header.isEmpty || header.allSatisfy({ $0 == 0 }) { return }  // end of archive
            guard header.count == 512 else {
                throw ArchiveExtractor.refusal("corrupt_archive", "the tar archive ends inside a header")
            }
            let entry = try Self.parse(header)
            var remaining = entry.size
            let padding = (512 - entry.size % 512) % 512
            let source = source
            let readChunk: () throws -> [UInt8]? = {
                guard remaining > 0 else { return nil }
                let chunk = try source.read(min(remaining, 256 << 10))
                guard !chunk.isEmpty else {
                    throw ArchiveExtractor.refusal("corrupt_archive", "the tar archive ends inside \(ArchivePath.quoted(entry.name))")
                }
                remaining -= chunk.count
                return chunk
            }
            try body(entry, readChunk)
            while try readChunk() != nil {}
            if padding > 0 { _ = try source.read(padding) }
        }
    }

    static func parse(_ header: [UInt8]) throws -> Entry {
        let name = string(header[0..<100])
        guard let checksum = octal(header[148..<156]) else {
            throw ArchiveExtractor.refusal("corrupt_archive", "a tar header has no valid checksum (is this a tar archive?)")
        }
        let sum = header.enumerated().reduce(0) { total, item in total + ((148..<156).contains(item.offset) ? 32 : Int(item.element)) }
        guard sum == checksum else {
            throw ArchiveExtractor.refusal("corrupt_archive", "the tar header of \(ArchivePath.quoted(name)) has a wrong checksum")
        }
        let magic = string(header[257..<263])
        let prefix = magic == "ustar" ? string(header[345..<500]) : ""
        let fullName = prefix.isEmpty ? name : prefix + "/" + name
        let type = header[156]
        switch type {
        case UInt8(ascii: "1"), UInt8(ascii: "2"):
            throw ArchiveExtractor.refusal("link_entry", "entry \(ArchivePath.quoted(fullName)) is a \(type == UInt8(ascii: "1") ? "hard" : "symbolic") link; links are refused")
        case UInt8(ascii: "x"), UInt8(ascii: "g"):
            throw ArchiveExtractor.refusal("unsupported_archive", "the tar archive has pax extended headers (long names or attributes); "
                                           + "write it as plain ustar, e.g. tar --format=ustar")
        case UInt8(ascii: "L"), UInt8(ascii: "K"):
            throw ArchiveExtractor.refusal("unsupported_archive", "the tar archive has GNU long-name entries; "
                                           + "names must fit ustar's 255 bytes (tar --format=ustar)")
        case 0, UInt8(ascii: "0"), UInt8(ascii: "7"), UInt8(ascii: "5"):
            break
        default:
            throw ArchiveExtractor.refusal("unsupported_entry", "entry \(ArchivePath.quoted(fullName)) is not a file or folder (tar type \(Character(Unicode.Scalar(type))))")
        }
        guard header[124] & 0x80 == 0, let size = octal(header[124..<136]) else {
            throw ArchiveExtractor.refusal("corrupt_archive", "the tar header of \(ArchivePath.quoted(fullName)) has no valid size")
        }
        let isDirectory = type == UInt8(ascii: "5") || (type == 0 && fullName.hasSuffix("/"))
        return Entry(name: fullName, kind: isDirectory ? .directory : .file, size: isDirectory ? 0 : size)
    }

    private static func string(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// An octal field: digits padded with spaces or NULs.
    private static func octal(_ bytes: ArraySlice<UInt8>) -> Int? {
        let text = string(bytes).trimmingCharacters(in: " ")
        guard !text.isEmpty, text.count <= 21 else { return text.isEmpty ? 0 : nil }
        return Int(text, radix: 8)
    }
}

private extension String {
    func trimmingCharacters(in character: Character) -> String {
        var s = Substring(self)
        while s.first == character { s.removeFirst() }
        while s.last == character { s.removeLast() }
        return String(s)
    }
}
