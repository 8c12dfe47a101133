import Foundation
import ZIPFoundation

/// Archives and images for the upload tests, built from the formats' specifications (ustar,
/// PNG) or by independent tools (ZIPFoundation's writer, the system's gzip), never by the code
/// under test.
enum ArchiveBuilder {
    enum TarEntry {
        case file(String, [UInt8])
        case directory(String)
        case symlink(String, target: String)
        case hardlink(String, target: String)
        case paxHeader
        case gnuLongName
    }

    /// A ustar archive (POSIX.1-1988): 512-byte headers, data padded to 512, two zero blocks.
    static func tar(_ entries: [TarEntry]) -> Data {
        var out: [UInt8] = []
        for entry in entries {
            switch entry {
            case .file(let name, let bytes):
                out += header(name: name, size: bytes.count, type: "0")
                out += bytes + [UInt8](repeating: 0, count: (512 - bytes.count % 512) % 512)
            case .directory(let name): out += header(name: name, size: 0, type: "5")
            case .symlink(let name, let target): out += header(name: name, size: 0, type: "2", link: target)
            case .hardlink(let name, let target): out += header(name: name, size: 0, type: "1", link: target)
            case .gnuLongName:
                let name = Array((String(repeating: "n", count: 120) + ".png\0").utf8)
                out += header(name: "././@LongLink", size: name.count, type: "L")
                out += name + [UInt8](repeating: 0, count: 512 - name.count)
            case .paxHeader:
                let record = Array("30 path=a-very-long-name.png\n".utf8)
                out += header(name: "PaxHeader/x", size: record.count, type: "x")
                out += record + [UInt8](repeating: 0, count: 512 - record.count)
            }
        }
        return Data(out + [UInt8](repeating: 0, count: 1024))
    }

    private static func header(name: String, size: Int, type: Character, link: String = "") -> [UInt8] {
        var h = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, at offset: Int) { for (i, b) in text.utf8.enumerated() { h[offset + i] = b } }
        put(name, at: 0)
        put("0000644", at: 100)
        put("0000000", at: 108)
        put("0000000", at: 116)
        put(String(format: "%011o", size), at: 124)
        put("00000000000", at: 136)
        h[156] = type.asciiValue!
        put(link, at: 157)
        put("ustar", at: 257)
        put("00", at: 263)
        for i in 148..<156 { h[i] = 32 }
        let sum = h.reduce(0) { $0 + Int($1) }
        put(String(format: "%06o", sum), at: 148)
        h[154] = 0
        h[155] = 32
        return h
    }

    /// `gzip -c` of `data`.
    static func gzip(_ data: Data) throws -> Data {
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("sscl-gz-\(UUID().uuidString)")
        try data.write(to: input)
        defer { try? FileManager.default.removeItem(at: input) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-c", input.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let out = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return out
    }

    enum ZipEntry {
        case file(String, Data, deflate: Bool = false)
        case symlink(String, target: String)
    }

    /// A zip archive written by ZIPFoundation.
    static func zip(_ entries: [ZipEntry]) throws -> Data {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sscl-zip-\(UUID().uuidString).zip")
        defer { try? FileManager.default.removeItem(at: url) }
        let archive = try Archive(url: url, accessMode: .create)
        for entry in entries {
            switch entry {
            case .file(let name, let data, let deflate):
                try archive.addEntry(with: name, type: .file, uncompressedSize: Int64(data.count),
                                     compressionMethod: deflate ? .deflate : .none) { position, size in
                    data.subdata(in: Int(position)..<Int(position) + size)
                }
            case .symlink(let name, let target):
                let data = Data(target.utf8)
                try archive.addEntry(with: name, type: .symlink, uncompressedSize: Int64(data.count)) { position, size in
                    data.subdata(in: Int(position)..<Int(position) + size)
                }
            }
        }
        return try Data(contentsOf: url)
    }

    /// A real 8-bit grayscale PNG (signature, IHDR, one IDAT of stored deflate blocks, IEND).
    static func png(width: Int, height: Int, value: UInt8) -> [UInt8] {
        var raw: [UInt8] = []
        for _ in 0..<height { raw += [0] + [UInt8](repeating: value, count: width) }
        // zlib stream: header, one stored block, Adler-32.
        var zlib: [UInt8] = [0x78, 0x01, 0x01]
        zlib += [UInt8(raw.count & 0xFF), UInt8(raw.count >> 8), UInt8(~raw.count & 0xFF), UInt8((~raw.count >> 8) & 0xFF)]
        zlib += raw
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in raw { a = (a + UInt32(byte)) % 65521; b = (b + a) % 65521 }
        zlib += be32(b << 16 | a)
        var ihdr = be32(UInt32(width)) + be32(UInt32(height))
        ihdr += [8, 0, 0, 0, 0]
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", ihdr) + chunk("IDAT", zlib) + chunk("IEND", [])
    }

    private static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        return be32(UInt32(data.count)) + body + be32(crc32(body))
    }

    private static func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }

    private static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    /// A NumPy `.npy` (format 1.0): magic, a little-endian header length, the header dict
    /// padded with spaces to a multiple of 64 and ending in a newline, then C-order data.
    static func npy(descr: String, shape: [Int], data: [UInt8]) -> Data {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var out: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
        out += [UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)]
        return Data(out + Array(header.utf8) + data)
    }
}
