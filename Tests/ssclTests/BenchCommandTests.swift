import Foundation
import Testing

@Suite struct BenchCommandTests {
    /// One JSON line per configuration with the fields issue #4 asks for, plus the machine's
    /// sgemm rate and the step's GEMM floor derived from it.
    @Test func jsonLinesCarryEveryField() throws {
        let out = try CommandRunner.run(["bench", "--model", "mlp", "--model", "cnn", "--loss", "ntxent",
                                         "--threads", "1", "--steps", "1", "--warmup", "0", "--batch", "4", "--json"])
        #expect(out.status == 0, "\(out.stderr)")
        let lines = out.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        for (line, model) in zip(lines, ["mlp", "cnn"]) {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(object["model"] as? String == model)
            #expect(object["loss"] as? String == "ntxent")
            #expect(object["threads"] as? Int == 1 && object["batch"] as? Int == 4)
            for key in ["step_ms_median", "images_per_s", "peak_rss_mb", "gflops", "sgemm_gflops", "gemm_floor_ms"] {
                let value = try #require(object[key] as? Double, "\(key) missing")
                #expect(value > 0, "\(key)")
            }
            let flops = try #require(object["gflop_per_step"] as? Double)
            let sgemm = try #require(object["sgemm_gflops"] as? Double)
            let floor = try #require(object["gemm_floor_ms"] as? Double)
            #expect(abs(floor - flops / sgemm * 1000) < 1e-6 * floor)
        }
    }

    @Test func unknownModelIsRejected() throws {
        let out = try CommandRunner.run(["bench", "--model", "resnet"])
        #expect(out.status != 0)
        #expect(out.stderr.contains("unknown model resnet"))
    }
}
