import Testing
@testable import SSCLService

@Suite struct SSCLServiceModuleTests {
    @Test func moduleLoads() { #expect(String(describing: SSCLServiceModule.self) == "SSCLServiceModule") }
}
