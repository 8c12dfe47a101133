import Testing
@testable import SSCLStore

@Suite struct SSCLStoreModuleTests {
    @Test func moduleLoads() { #expect(String(describing: SSCLStoreModule.self) == "SSCLStoreModule") }
}
