import Foundation
import Testing
@testable import SSCLEngine

@Suite struct DatasetLoaderBuiltinsTests {
    @Test func theBuiltResourceBundleIsFound() throws {
        let folder = try #require(DatasetLoader.resourcesFolder)
        // The copy SwiftPM made next to the test binary, not the source tree.
        #expect(folder.path.contains("sscl_SSCLEngine"))
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("datasets/LICENSE-NOTES.md").path))
    }
}
