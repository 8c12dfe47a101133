import SSCLZlib
import Foundation
import Testing
@testable import SSCLEngine

@Suite struct ImageDecoderTests {
    private func decode(_ bytes: [UInt8]) throws(ImageDecoder.Failure) -> DecodedImage {
        try ImageDecoder.decode(Data(bytes))
    }

    private func failure(_ bytes: [UInt8]) -> String? {
        do {
            let image = try decode(bytes)
            Issue.record("decoded \(image.width)x\(image.height) from bad bytes")
            return nil
        } catch {
            return error.reason
        }
    }

    @Test func greyAndRGBPNGsDecodeExactly() throws {
        let grey: [UInt8] = [0, 17, 128, 255, 3, 99]  // 3 wide, 2 high
        let g = try decode(ImageFixtures.png(width: 3, height: 2, channels: 1, pixels: grey))
        #expect((g.width, g.height, g.channels) == (3, 2, 1))
        #expect(g.pixels == grey)
        let rgb: [UInt8] = [255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30]  // 2 x 2
        let c = try decode(ImageFixtures.png(width: 2, height: 2, channels: 3, pixels: rgb))
        #expect((c.width, c.height, c.channels) == (2, 2, 3))
        #expect(c.pixels == rgb)
    }

    @Test func alphaIsDroppedAndTheColoursKept() throws {
        // RGBA with a transparent pixel: the colour stays as stored (PIL's convert("RGB")).
        let rgba: [UInt8] = [200, 100, 50, 0, 1, 2, 3, 255]
        let c = try decode(ImageFixtures.png(width: 2, height: 1, channels: 4, pixels: rgba))
        #expect(c.channels == 3 && c.pixels == [200, 100, 50, 1, 2, 3])
        let ga: [UInt8] = [77, 10, 250, 255]
        let g = try decode(ImageFixtures.png(width: 2, height: 1, channels: 2, pixels: ga))
        #expect(g.channels == 1 && g.pixels == [77, 250])
    }

    @Test func flatJPEGsDecodeToTheirColour() throws {
        // A flat block has only a DC coefficient: JPEG keeps it within a level or two.
        let grey = try decode(ImageFixtures.jpeg(width: 16, height: 8, channels: 1,
                                                 pixels: ImageFixtures.flat(width: 16, height: 8, [90])))
        #expect((grey.width, grey.height, grey.channels) == (16, 8, 1))
        #expect(grey.pixels.allSatisfy { abs(Int($0) - 90) <= 1 })
        let colour = try decode(ImageFixtures.jpeg(width: 8, height: 8, channels: 3,
                                                   pixels: ImageFixtures.flat(width: 8, height: 8, [200, 40, 90])))
        #expect(colour.channels == 3 && colour.pixels.count == 8 * 8 * 3)
        for p in 0..<64 {
            let (r, g, b) = (Int(colour.pixels[3 * p]), Int(colour.pixels[3 * p + 1]), Int(colour.pixels[3 * p + 2]))
            #expect(abs(r - 200) <= 3 && abs(g - 40) <= 3 && abs(b - 90) <= 3, "pixel \(p): \(r) \(g) \(b)")
        }
    }

    @Test func theFormatComesFromTheContentNotTheName() {
        let png = ImageFixtures.png(width: 1, height: 1, channels: 1, pixels: [5])
        let jpeg = ImageFixtures.jpeg(width: 1, height: 1, channels: 1, pixels: [5])
        png.withUnsafeBytes { #expect(ImageDecoder.format(of: $0) == .png) }
        jpeg.withUnsafeBytes { #expect(ImageDecoder.format(of: $0) == .jpeg) }
        Array("GIF89a".utf8).withUnsafeBytes { #expect(ImageDecoder.format(of: $0) == nil) }
    }

    @Test func nonImagesAndEmptyFilesAreRefused() {
        #expect(failure(Array("label,x\n1,2\n".utf8)) == "is not a PNG or JPEG image")
        #expect(failure([]) == "is empty, not an image")
        #expect(failure([0x89, 0x50]) == "is not a PNG or JPEG image")  // shorter than a signature
    }

    @Test func truncatedAndCorruptPNGsAreRefused() throws {
        let png = ImageFixtures.png(width: 4, height: 4, channels: 3, pixels: (0..<48).map { UInt8($0 * 5) })
        let truncated = failure(Array(png.prefix(png.count - 20)))
        #expect(truncated?.hasPrefix("corrupt PNG: ") == true, "\(truncated ?? "")")
        var flipped = png
        flipped[20] ^= 0xFF  // inside IHDR: its CRC no longer matches
        let corrupt = failure(flipped)
        #expect(corrupt?.hasPrefix("corrupt PNG: ") == true, "\(corrupt ?? "")")
        #expect(failure(Array(png.prefix(8))) != nil)  // the signature alone
    }

    @Test func truncatedAndCorruptJPEGsAreRefused() {
        let pixels = (0..<(16 * 16 * 3)).map { UInt8(($0 * 37) % 256) }
        let jpeg = ImageFixtures.jpeg(width: 16, height: 16, channels: 3, pixels: pixels)
        let truncated = failure(Array(jpeg.prefix(jpeg.count / 2)))
        #expect(truncated == "corrupt JPEG: Premature end of JPEG file", "\(truncated ?? "")")
        let headerOnly = failure(Array(jpeg.prefix(4)))
        #expect(headerOnly?.hasPrefix("corrupt JPEG: ") == true, "\(headerOnly ?? "")")
    }

    /// Random damage (flipped bytes, cuts) never crashes or hangs the decoders: each damaged
    /// file decodes to a consistent image or fails with a reason.
    @Test func damagedFilesFailCleanly() {
        let pixels = (0..<(12 * 10 * 3)).map { UInt8(($0 * 53) % 256) }
        let files = [ImageFixtures.png(width: 12, height: 10, channels: 3, pixels: pixels),
                     ImageFixtures.jpeg(width: 12, height: 10, channels: 3, pixels: pixels)]
        var rng = SeededGenerator(seed: 99)
        var failures = 0
        for original in files {
            for _ in 0..<300 {
                var bytes = original
                for _ in 0..<(1 + rng.int(below: 4)) { bytes[rng.int(below: bytes.count)] = UInt8(rng.int(below: 256)) }
                if rng.uniform() < 0.3 { bytes = Array(bytes.prefix(rng.int(below: bytes.count))) }
                do {
                    let image = try decode(bytes)
                    #expect(image.pixels.count == image.width * image.height * image.channels)
                } catch {
                    #expect(!error.reason.isEmpty)
                    failures += 1
                }
            }
        }
        #expect(failures > 100)
    }

    @Test func cmykJPEGsAreRefusedByName() {
        let cmyk = ImageFixtures.jpeg(width: 8, height: 8, channels: 4, pixels: ImageFixtures.flat(width: 8, height: 8, [0, 200, 200, 10]))
        #expect(failure(cmyk) == "is a CMYK JPEG, which sscl does not convert; save it as RGB")
    }

    /// A PNG whose header declares 40000 x 40000 pixels (1.6 gigapixels; the file is 57 bytes:
    /// IHDR, an empty IDAT, IEND) is refused from its header, before anything is allocated.
    @Test func hugeDeclaredImagesAreRefusedBeforeDecoding() {
        func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
            let body = Array(type.utf8) + data
            let crc = body.withUnsafeBufferPointer { UInt32(SSCLZlib.crc32(0, $0.baseAddress, uInt($0.count))) }
            return bigEndian(UInt32(data.count)) + body + bigEndian(crc)
        }
        func bigEndian(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        // 8-bit grey, deflate, no filter method, no interlace.
        let header = bigEndian(40000) + bigEndian(40000) + [8, 0, 0, 0, 0]
        let bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", header)
            + chunk("IDAT", []) + chunk("IEND", [])
        #expect(failure(bytes) == "is a 40000x40000 PNG, over the limit of 64 megapixels")
    }
}
