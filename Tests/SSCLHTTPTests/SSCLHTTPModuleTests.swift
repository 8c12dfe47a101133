import Testing
@testable import SSCLHTTP

@Suite struct SSCLHTTPModuleTests {
    @Test func moduleLoads() { #expect(String(describing: SSCLHTTPModule.self) == "SSCLHTTPModule") }
}
