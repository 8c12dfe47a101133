import Foundation
import Testing
@testable import SSCLEngine

@Suite struct IDXReaderTests {
    @Test func readsHeaderAndValues() throws {
        let url = DataFixtures.folder.appendingPathComponent("idx-plain/train-images-idx3-ubyte")
        let array = try IDXReader.read(url, expectedDimensions: 3)
        #expect(array.dimensions == [12, 3, 4])
        // Pixel p of image i is (37 i + 11 p) mod 256 (fixture README).
        #expect(array.values[0] == 0)
        #expect(array.values[1] == 11)
        #expect(array.values[12 * 5 + 2] == UInt8((37 * 5 + 11 * 2) % 256))
    }

    @Test func gzipAndPlainGiveTheSameArray() throws {
        let plain = try IDXReader.read(DataFixtures.folder.appendingPathComponent("idx-plain/train-images-idx3-ubyte"))
        let gz = try IDXReader.read(DataFixtures.folder.appendingPathComponent("idx-gz/train-images-idx3-ubyte.gz"))
        #expect(plain == gz)
    }

    @Test func prefersThePlainFileWhenBothExist() throws {
        let folder = try DataFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try DataFixtures.write([1, 2, 3], to: folder.appendingPathComponent("a.gz"))
        try DataFixtures.write([4], to: folder.appendingPathComponent("a"))
        #expect(IDXReader.locate("a", in: folder)?.lastPathComponent == "a")
        #expect(IDXReader.locate("b", in: folder) == nil)
    }

    @Test func wrongMagicIsRejected() {
        let error = #expect(throws: DatasetError.self) {
            try IDXReader.parse([0x1F, 0x00, 0x08, 0x01, 0, 0, 0, 1, 5], file: "magic.idx")
        }
        #expect(error?.file == "magic.idx")
        #expect(error?.problem.contains("not an IDX file") == true)
    }

    @Test func nonByteTypeIsRejected() {
        let error = #expect(throws: DatasetError.self) {
            try IDXReader.parse([0, 0, 0x0D, 0x01, 0, 0, 0, 1, 0, 0, 0, 0], file: "float.idx")
        }
        #expect(error?.description.hasPrefix("float.idx: IDX data type 0x0D") == true)
    }

    @Test func truncatedAndOverlongFilesAreRejected() throws {
        let good = DataFixtures.idx(dimensions: [2, 2, 2], values: Array(0..<8))
        #expect(try IDXReader.parse(good, file: "ok").values == Array(0..<8))
        let short = #expect(throws: DatasetError.self) { try IDXReader.parse(Array(good.dropLast()), file: "short.idx") }
        #expect(short?.file == "short.idx")
        #expect(short?.problem.contains("truncated") == true)
        let long = #expect(throws: DatasetError.self) { try IDXReader.parse(good + [9], file: "long.idx") }
        #expect(long?.problem.contains("longer") == true)
        #expect(throws: DatasetError.self) { try IDXReader.parse([0, 0], file: "tiny") }
        #expect(throws: DatasetError.self) { try IDXReader.parse([0, 0, 8, 3, 0, 0], file: "header") }
    }

    @Test func wrongNumberOfDimensionsIsRejected() {
        let labels = DataFixtures.idx(dimensions: [4], values: [0, 1, 2, 3])
        let error = #expect(throws: DatasetError.self) {
            try IDXReader.parse(labels, file: "labels.idx", expectedDimensions: 3)
        }
        #expect(error?.problem.contains("1 dimensions, expected 3") == true)
    }

    @Test func missingFileIsNamed() {
        let url = URL(fileURLWithPath: "/nonexistent/sscl/train-images-idx3-ubyte")
        let error = #expect(throws: DatasetError.self) { try IDXReader.read(url) }
        #expect(error?.file == "/nonexistent/sscl/train-images-idx3-ubyte")
    }
}
