import SSCLZlib

/// Gzip decompression through the system zlib, checked: corrupt or truncated input is an
/// error naming the file, never a crash or a silently short result.
enum Gzip {
    /// The two magic bytes every gzip member starts with (RFC 1952, 2.3.1).
    static func isGzip(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// Inflates every gzip member in `bytes` (concatenated members are one stream, as gunzip does).
    /// `file` only names the source in errors.
    static func inflate(_ bytes: [UInt8], file: String) throws -> [UInt8] {
        guard isGzip(bytes) else { throw DatasetError(file: file, "not a gzip file (bad magic bytes)") }
        // The trailer's ISIZE (length mod 2^32, RFC 1952) is a good first guess at the size;
        // deflate cannot expand more than ~1032:1, which bounds the guess for damaged files.
        let n = bytes.count
        let hinted = n >= 18 ? Int(bytes[n - 4]) | Int(bytes[n - 3]) << 8 | Int(bytes[n - 2]) << 16 | Int(bytes[n - 1]) << 24 : 0
        var output = [UInt8](repeating: 0, count: max(1024, min(hinted, n * 1032, 1 << 30)) + 1)
        var produced = 0

        var stream = z_stream()
        // 16 + MAX_WBITS: expect a gzip header and trailer, check the CRC-32.
        guard inflateInit2_(&stream, 16 + MAX_WBITS, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw DatasetError(file: file, "zlib could not start inflating")
        }
        defer { inflateEnd(&stream) }

        try bytes.withUnsafeBufferPointer { input in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress!)
            stream.avail_in = UInt32(input.count)
            while true {
                if produced == output.count { output.append(contentsOf: repeatElement(0, count: output.count)) }
                let status: Int32 = output.withUnsafeMutableBufferPointer { out in
                    let room = min(out.count - produced, Int(UInt32.max))
                    stream.next_out = out.baseAddress! + produced
                    stream.avail_out = UInt32(room)
                    let status = SSCLZlib.inflate(&stream, Z_NO_FLUSH)
                    produced += room - Int(stream.avail_out)
                    return status
                }
                switch status {
                case Z_OK:
                    continue
                case Z_STREAM_END:
                    // Another member may follow; anything else after the trailer is junk.
                    let rest = Int(stream.avail_in)
                    if rest == 0 { return }
                    let offset = input.count - rest
                    guard rest >= 2, input[offset] == 0x1F, input[offset + 1] == 0x8B else {
                        throw DatasetError(file: file, "\(rest) bytes of trailing garbage after the gzip data")
                    }
                    guard inflateReset(&stream) == Z_OK else {
                        throw DatasetError(file: file, "zlib could not restart inflating")
                    }
                case Z_BUF_ERROR where stream.avail_in == 0:
                    throw DatasetError(file: file, "gzip data is truncated (ends before the end of the stream)")
                case Z_BUF_ERROR:
                    continue  // output full: grow and go on
                default:
                    let reason = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                    throw DatasetError(file: file, "corrupt gzip data: \(reason)")
                }
            }
        }
        output.removeSubrange(produced...)
        return output
    }
}
