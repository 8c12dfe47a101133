import CJPEG
import CPNG
import Foundation
@testable import SSCLEngine

/// Real PNG and JPEG files for the image tests, written by libpng and libjpeg-turbo (the
/// libraries the decoder uses, but their encoders), and image folders built from them.
enum ImageFixtures {
    /// A PNG of 8-bit samples, [height, width, channels] interleaved: 1 grey, 2 grey + alpha,
    /// 3 RGB, 4 RGBA.
    static func png(width: Int, height: Int, channels: Int, pixels: [UInt8]) -> [UInt8] {
        precondition(pixels.count == width * height * channels)
        var image = png_image()
        image.version = png_uint_32(PNG_IMAGE_VERSION)
        image.width = png_uint_32(width)
        image.height = png_uint_32(height)
        image.format = (channels >= 3 ? PNG_FORMAT_FLAG_COLOR : 0) | (channels % 2 == 0 ? PNG_FORMAT_FLAG_ALPHA : 0)
        var size = 0
        let sized = pixels.withUnsafeBytes { png_image_write_to_memory(&image, nil, &size, 0, $0.baseAddress, 0, nil) }
        precondition(sized != 0 && size > 0, "libpng could not size the PNG")
        var out = [UInt8](repeating: 0, count: size)
        let written = out.withUnsafeMutableBytes { memory in
            pixels.withUnsafeBytes { png_image_write_to_memory(&image, memory.baseAddress, &size, 0, $0.baseAddress, 0, nil) }
        }
        precondition(written != 0, "libpng could not write the PNG")
        png_image_free(&image)
        return Array(out.prefix(size))
    }

    /// A baseline JPEG (channels 1 grey, 3 RGB or 4 CMYK) at `quality`.
    static func jpeg(width: Int, height: Int, channels: Int, pixels: [UInt8], quality: Int = 95) -> [UInt8] {
        precondition(pixels.count == width * height * channels)
        var output: UnsafeMutablePointer<UInt8>?
        var size: UInt = 0
        var message = [CChar](repeating: 0, count: 256)
        let status = sscl_jpeg_encode(pixels, Int32(width), Int32(height), Int32(channels), Int32(quality),
                                      &output, &size, &message, message.count)
        defer { free(output) }
        precondition(status == 0, "libjpeg could not write the JPEG")
        return Array(UnsafeBufferPointer(start: output, count: Int(size)))
    }

    /// One colour everywhere: `value` repeated per pixel.
    static func flat(width: Int, height: Int, _ value: [UInt8]) -> [UInt8] {
        Array((0..<(width * height)).map { _ in value }.joined())
    }

    /// Writes `files` (relative path -> bytes) under `root`, creating folders.
    static func write(_ files: [String: [UInt8]], under root: URL) throws {
        for (path, bytes) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url)
        }
    }

    /// Loads `root` as an image folder.
    static func load(_ root: URL, imageSize: Int, channels: Int = 3, skipBad: Bool = false, scale: Float? = nil,
                     seed: UInt64 = 0) throws -> Dataset {
        var spec = DatasetSpec(source: .imageFolder(ImageFolderSpec(path: root.path, imageSize: imageSize,
                                                                    channels: channels, skipBad: skipBad)))
        spec.scale = scale
        return try DatasetLoader.load(spec, seed: seed)
    }
}
