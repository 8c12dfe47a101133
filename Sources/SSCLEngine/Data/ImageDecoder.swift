import CJPEG
import CPNG
import Foundation

/// Decodes PNG (libpng's simplified API) and JPEG (libjpeg-turbo) files into 8-bit grey or
/// RGB pixels. The format is told by the file's signature, not its name; any other content
/// is refused. A grey file stays grey and a colour one becomes RGB (palette and 16-bit PNGs
/// included); alpha is dropped. Images over `maxPixels` are refused before their pixels are
/// allocated, so a tiny file declaring a huge image cannot exhaust memory.
public enum ImageDecoder {
    /// 64 megapixels (PIL warns at 89): far above any training image, ~200 MB as RGB.
    public static let maxPixels = 64 << 20

    public enum Format: String, Sendable { case png = "PNG", jpeg = "JPEG" }

    /// Why a file could not be decoded, in a few words (the caller adds the file name).
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public var reason: String
        public init(_ reason: String) { self.reason = reason }
        public var description: String { reason }
    }

    /// The format the bytes start like: PNG's 8-byte signature or JPEG's SOI marker.
    public static func format(of bytes: UnsafeRawBufferPointer) -> Format? {
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        if bytes.count >= png.count, zip(bytes, png).allSatisfy({ $0 == $1 }) { return .png }
        if bytes.count >= 3, bytes[0] == 0xFF, bytes[1] == 0xD8, bytes[2] == 0xFF { return .jpeg }
        return nil
    }

    /// The image in a file's bytes (`Data` or `[UInt8]`).
    public static func decode(_ data: some ContiguousBytes) throws(Failure) -> DecodedImage {
        let result: Result<DecodedImage, Failure> = data.withUnsafeBytes { bytes in
            guard !bytes.isEmpty else { return .failure(Failure("is empty, not an image")) }
            switch format(of: bytes) {
            case .png?: return decodePNG(bytes)
            case .jpeg?: return decodeJPEG(bytes)
            case nil: return .failure(Failure("is not a PNG or JPEG image"))
            }
        }
        return try result.get()
    }

    private static func decodePNG(_ bytes: UnsafeRawBufferPointer) -> Result<DecodedImage, Failure> {
        var image = png_image()
        image.version = png_uint_32(PNG_IMAGE_VERSION)
        defer { png_image_free(&image) }
        func failure(_ what: String) -> Failure {
            let message = withUnsafeBytes(of: image.message) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            return Failure("\(what) PNG: \(message.isEmpty ? "unreadable" : message)")
        }
        guard png_image_begin_read_from_memory(&image, bytes.baseAddress, bytes.count) != 0 else {
            return .failure(failure("corrupt"))
        }
        let (width, height) = (Int(image.width), Int(image.height))
        guard width * height <= maxPixels else {
            return .failure(Failure("is a \(width)x\(height) PNG, over the limit of \(maxPixels >> 20) megapixels"))
        }
        let color = image.format & PNG_FORMAT_FLAG_COLOR != 0, alpha = image.format & PNG_FORMAT_FLAG_ALPHA != 0
        let channels = color ? 3 : 1, stored = channels + (alpha ? 1 : 0)
        image.format = (color ? PNG_FORMAT_FLAG_COLOR : 0) | (alpha ? PNG_FORMAT_FLAG_ALPHA : 0)  // 8-bit, sRGB
        var buffer = [UInt8](repeating: 0, count: width * height * stored)
        let finished = buffer.withUnsafeMutableBytes { png_image_finish_read(&image, nil, $0.baseAddress, 0, nil) }
        guard finished != 0 else { return .failure(failure("corrupt")) }
        if alpha {
            var opaque = [UInt8](repeating: 0, count: width * height * channels)
            for p in 0..<(width * height) {
                for c in 0..<channels { opaque[p * channels + c] = buffer[p * stored + c] }
            }
            buffer = opaque
        }
        return .success(DecodedImage(width: width, height: height, channels: channels, pixels: buffer))
    }

    private static func decodeJPEG(_ bytes: UnsafeRawBufferPointer) -> Result<DecodedImage, Failure> {
        var width: Int32 = 0, height: Int32 = 0, components: Int32 = 0
        var pixels: UnsafeMutablePointer<UInt8>?
        var message = [CChar](repeating: 0, count: 256)
        let status = sscl_jpeg_decode(bytes.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt(bytes.count),
                                      UInt(maxPixels), &width, &height, &components, &pixels, &message, message.count)
        defer { free(pixels) }
        let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        switch status {
        case 0:
            let count = Int(width) * Int(height) * Int(components)
            let samples = [UInt8](UnsafeBufferPointer(start: pixels, count: count))
            return .success(DecodedImage(width: Int(width), height: Int(height), channels: Int(components),
                                         pixels: samples))
        case 2:
            return .failure(Failure("is a JPEG of \(text), over the limit of \(maxPixels >> 20) megapixels"))
        case 3:
            return .failure(Failure("is a CMYK JPEG, which sscl does not convert; save it as RGB"))
        default:
            return .failure(Failure("corrupt JPEG: \(text.isEmpty ? "unreadable" : text)"))
        }
    }
}
