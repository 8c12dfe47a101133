import Foundation
import SSCLEngine
#if canImport(Glibc)
import Glibc
#endif

/// OpenBLAS picks its kernel once, when the library loads, from the CPU's model number. On a
/// virtual machine that reports a generic model ("Intel(R) Xeon(R) Processor") it falls back to
/// the 2004 Prescott kernel although the CPU has AVX2 and FMA: measured on such a machine,
/// `sscl bench --model mlp --loss sscl --threads 2` took 78.8 ms a step with Prescott (sgemm 40
/// GFLOPS) and 28.9 ms with `OPENBLAS_CORETYPE=Haswell` (85 GFLOPS). The variable only works
/// before the library loads, so sscl re-executes itself once with it set. A user's own
/// `OPENBLAS_CORETYPE` always wins.
enum OpenBLASKernel {
    /// Kernels older than Haswell that OpenBLAS falls back to.
    static let fallbacks: Set<String> = ["Prescott", "Core2", "Penryn", "Dunnington", "Nehalem", "Atom", "Katmai",
                                         "Coppermine", "Northwood", "Banias", "Sandybridge"]

    static func ensureFastKernel() {
        guard ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil,
              fallbacks.contains(BLAS.coreName), cpuHasAVX2AndFMA() else { return }
        setenv("OPENBLAS_CORETYPE", "Haswell", 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // exec failed (no /proc): carry on with the kernel OpenBLAS chose.
    }

    private static func cpuHasAVX2AndFMA() -> Bool {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
        else { return false }
        let flags = Set(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init))
        return flags.contains("avx2") && flags.contains("fma")
    }
}
