import Foundation
import SSCLZlib

/// Gunzips another source as it is read, a chunk at a time (the engine's `Gzip` inflates whole
/// files in memory, which an upload of gigabytes must not do). Concatenated members are one
/// stream, as gunzip does; corrupt or truncated data is refused.
final class GzipByteSource: ByteSource {
    private let input: any ByteSource
    private var stream = z_stream()
    private var inputBuffer: [UInt8] = []
    private var inputOffset = 0
    private var finished = false
    private var inputEnded = false

    init(_ input: any ByteSource) throws {
        self.input = input
        guard inflateInit2_(&stream, 16 + MAX_WBITS, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw APIError(status: 500, code: "zlib", message: "zlib could not start inflating")
        }
    }

    deinit { inflateEnd(&stream) }

    func read(_ count: Int) throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: count)
        var produced = 0
        while produced < count && !finished {
            if inputOffset == inputBuffer.count && !inputEnded {
                inputBuffer = try input.read(64 << 10)
                inputOffset = 0
                if inputBuffer.isEmpty { inputEnded = true }
            }
            let available = inputBuffer.count - inputOffset
            if available == 0 && inputEnded {
                throw ArchiveExtractor.refusal("corrupt_archive", "the gzip data is truncated")
            }
            let status: Int32 = inputBuffer.withUnsafeMutableBufferPointer { inBuffer in
                output.withUnsafeMutableBufferPointer { outBuffer in
                    stream.next_in = inBuffer.baseAddress! + inputOffset
                    stream.avail_in = UInt32(available)
                    stream.next_out = outBuffer.baseAddress! + produced
                    stream.avail_out = UInt32(count - produced)
                    let status = inflate(&stream, Z_NO_FLUSH)
                    produced = count - Int(stream.avail_out)
                    inputOffset = inBuffer.count - Int(stream.avail_in)
                    return status
                }
            }
            switch status {
            case Z_OK, Z_BUF_ERROR:
                continue
            case Z_STREAM_END:
                // Another member may follow; anything else after the trailer is refused.
                if inputOffset == inputBuffer.count && !inputEnded {
                    inputBuffer = try input.read(64 << 10)
                    inputOffset = 0
                    if inputBuffer.isEmpty { inputEnded = true }
                }
                if inputOffset == inputBuffer.count {
                    finished = true
                } else if inputBuffer.count - inputOffset >= 2, inputBuffer[inputOffset] == 0x1F,
                          inputBuffer[inputOffset + 1] == 0x8B {
                    inflateReset(&stream)
                } else {
                    throw ArchiveExtractor.refusal("corrupt_archive", "trailing bytes after the gzip data")
                }
            default:
                throw ArchiveExtractor.refusal("corrupt_archive", "the gzip data is corrupt (zlib status \(status))")
            }
        }
        output.removeSubrange(produced...)
        return output
    }
}
