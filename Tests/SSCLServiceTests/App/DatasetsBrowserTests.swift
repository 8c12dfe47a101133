import Foundation
import Testing
@testable import SSCLService

/// The datasets page in a real headless Chromium against the real `sscl serve --token`:
/// upload with progress, summary and class chart, an error shown, "Use" on the new-job page,
/// delete (`Tests/browser/datasets_live_test.py`).
@Suite(.serialized) struct DatasetsBrowserTests {
    @Test(.enabled(if: DashboardBrowserTests.chromium != nil, "needs Debian's chromium"))
    func uploadShowDeleteThroughTheDatasetsPage() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", ServiceFixture.repository.appendingPathComponent("Tests/browser/datasets_live_test.py").path,
                             "--sscl", TestBinary.sscl.path, "--repo", ServiceFixture.repository.path]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text)")
        #expect(text.contains(" 0 failed"), "\(text)")
        #expect(text.contains("ok   - one bar per class with its count"), "\(text)")
    }
}
