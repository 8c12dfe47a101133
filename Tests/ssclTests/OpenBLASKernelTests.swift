import Foundation
import Testing

/// On a CPU with AVX2 and FMA, sscl never trains on OpenBLAS's pre-Haswell fallback kernel
/// (chosen on virtual machines that report a generic CPU model), unless the user asks for one.
@Suite struct OpenBLASKernelTests {
    static let hasAVX2AndFMA: Bool = {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return false }
        let flags = Set(line.split(separator: " ").map(String.init))
        return flags.contains("avx2") && flags.contains("fma")
    }()

    static func core(_ environment: [String: String]) throws -> String {
        let out = try CommandRunner.run(["bench", "--model", "mlp", "--steps", "1", "--json"], environment: environment)
        #expect(out.status == 0, "\(out.stderr)")
        let line = try #require(out.stdout.split(separator: "\n").last { $0.hasPrefix("{") })
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        return try #require(object["blas_core"] as? String)
    }

    @Test(.enabled(if: hasAVX2AndFMA, "needs a CPU with AVX2 and FMA"))
    func aModernCPUGetsAtLeastTheHaswellKernel() throws {
        let fallbacks = ["Prescott", "Core2", "Penryn", "Dunnington", "Nehalem", "Atom", "Sandybridge"]
        let chosen = try Self.core([:])
        #expect(!fallbacks.contains(chosen), "OpenBLAS kernel \(chosen)")
        #expect(try Self.core(["OPENBLAS_CORETYPE": "Prescott"]) == "Prescott", "the user's choice wins")
    }
}
