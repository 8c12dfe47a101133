import Foundation
import Testing
@testable import SSCLEngine

@Suite struct GzipTests {
    private var idxGz: URL { DataFixtures.folder.appendingPathComponent("idx-gz/train-images-idx3-ubyte.gz") }
    private var idxPlain: URL { DataFixtures.folder.appendingPathComponent("idx-plain/train-images-idx3-ubyte") }

    @Test func inflatesToTheBytesPythonCompressed() throws {
        let inflated = try Gzip.inflate(DataFixtures.bytes(of: idxGz), file: "x.gz")
        #expect(inflated == (try DataFixtures.bytes(of: idxPlain)))
    }

    @Test func concatenatedMembersAreOneStream() throws {
        let bytes = try DataFixtures.bytes(of: DataFixtures.folder.appendingPathComponent("two-members.gz"))
        #expect(try Gzip.inflate(bytes, file: "two.gz") == Array("hello world".utf8))
    }

    @Test func truncatedDataIsAnErrorNamingTheFile() throws {
        let bytes = try DataFixtures.bytes(of: idxGz)
        for keep in [10, bytes.count / 2, bytes.count - 3] {
            let error = #expect(throws: DatasetError.self) { try Gzip.inflate(Array(bytes.prefix(keep)), file: "cut.gz") }
            #expect(error?.file == "cut.gz")
            #expect(error?.problem.contains("truncated") == true, "\(String(describing: error))")
        }
    }

    @Test func corruptDataIsAnErrorNamingTheFile() throws {
        var bytes = try DataFixtures.bytes(of: idxGz)
        // Flip bits in the compressed body: either the deflate stream or the CRC-32 check fails.
        for i in stride(from: 12, to: bytes.count - 8, by: 7) { bytes[i] ^= 0x5A }
        let error = #expect(throws: DatasetError.self) { try Gzip.inflate(bytes, file: "bad.gz") }
        #expect(error?.description.hasPrefix("bad.gz: corrupt gzip data") == true, "\(String(describing: error))")
    }

    @Test func damagedChecksumIsCaught() throws {
        var bytes = try DataFixtures.bytes(of: idxGz)
        bytes[bytes.count - 6] ^= 0xFF  // inside the CRC-32 of the trailer
        let error = #expect(throws: DatasetError.self) { try Gzip.inflate(bytes, file: "crc.gz") }
        #expect(error?.problem.contains("check") == true, "\(String(describing: error))")
    }

    @Test func nonGzipAndTrailingGarbageAreRejected() throws {
        #expect(throws: DatasetError.self) { try Gzip.inflate([0, 0, 8, 1], file: "plain") }
        #expect(throws: DatasetError.self) { try Gzip.inflate([], file: "empty") }
        let bytes = try DataFixtures.bytes(of: idxGz) + [1, 2, 3]
        let error = #expect(throws: DatasetError.self) { try Gzip.inflate(bytes, file: "junk.gz") }
        #expect(error?.problem.contains("trailing garbage") == true)
    }
}
