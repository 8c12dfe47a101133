import Foundation

/// Reads the IDX format of MNIST and Fashion-MNIST (LeCun et al.): a big-endian header
/// `00 00 <type> <ndim>`, `ndim` uint32 sizes, then the values. Only type 0x08 (uint8)
/// is supported. Files may be gzip-compressed (`.gz`); every header field and the file
/// length are checked so that a bad file fails with its name and the reason.
enum IDXReader {
    /// One IDX file's contents.
    struct Array: Equatable {
        /// Sizes, outermost first (`[count, height, width]` for images).
        var dimensions: [Int]
        /// Row-major uint8 values.
        var values: [UInt8]
    }

    /// The file for `baseName` in `folder`: the plain file if present, else `baseName.gz`.
    static func locate(_ baseName: String, in folder: URL) -> URL? {
        let fm = FileManager.default
        let plain = folder.appendingPathComponent(baseName)
        if fm.fileExists(atPath: plain.path) { return plain }
        let gz = folder.appendingPathComponent(baseName + ".gz")
        if fm.fileExists(atPath: gz.path) { return gz }
        return nil
    }

    /// Reads and validates one file, inflating it when it is gzip; with `dataDirectory`, the
    /// opened file must lie inside it (see `DatasetFile`).
    static func read(_ url: URL, expectedDimensions: Int? = nil, within dataDirectory: DataDirectory? = nil) throws -> Array {
        let file = url.path
        var bytes = try DatasetFile.read(url, within: dataDirectory)
        if url.pathExtension == "gz" || Gzip.isGzip(bytes) {
            bytes = try Gzip.inflate(bytes, file: file)
        }
        return try parse(bytes, file: file, expectedDimensions: expectedDimensions)
    }

    /// Validates the header against the bytes and returns the values.
    static func parse(_ bytes: [UInt8], file: String, expectedDimensions: Int? = nil) throws -> Array {
        guard bytes.count >= 4 else {
            throw DatasetError(file: file, "too short for an IDX header (\(bytes.count) bytes)")
        }
        guard bytes[0] == 0, bytes[1] == 0 else {
            throw DatasetError(file: file, "not an IDX file (it does not start with 00 00)")
        }
        guard bytes[2] == 0x08 else {
            throw DatasetError(file: file, String(format: "IDX data type 0x%02X is not supported (only 0x08, unsigned byte)",
                                                  bytes[2]))
        }
        let ndim = Int(bytes[3])
        if let expectedDimensions, ndim != expectedDimensions {
            throw DatasetError(file: file, "IDX file has \(ndim) dimensions, expected \(expectedDimensions)")
        }
        guard ndim >= 1 else { throw DatasetError(file: file, "IDX file has 0 dimensions") }
        let headerSize = 4 + 4 * ndim
        guard bytes.count >= headerSize else {
            throw DatasetError(file: file, "file is \(bytes.count) bytes, shorter than its \(headerSize)-byte header")
        }
        var dimensions: [Int] = []
        var expected = 1
        for d in 0..<ndim {
            let o = 4 + 4 * d
            let size = Int(bytes[o]) << 24 | Int(bytes[o + 1]) << 16 | Int(bytes[o + 2]) << 8 | Int(bytes[o + 3])
            dimensions.append(size)
            expected = expected.multipliedReportingOverflow(by: size).partialValue
        }
        let payload = bytes.count - headerSize
        guard payload == expected else {
            let what = payload < expected ? "truncated" : "longer than its header says"
            throw DatasetError(file: file, "file is \(what): header \(dimensions) needs \(expected) data bytes, found \(payload)")
        }
        return Array(dimensions: dimensions, values: Swift.Array(bytes[headerSize...]))
    }
}
