import COpenBLAS
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Which of OpenBLAS's kernel sets this process runs, and a better one when
/// OpenBLAS chose badly.
///
/// OpenBLAS picks its kernels (a "core type") from the CPU's family and model
/// when it loads. Releases before 0.3.25 (Debian bookworm ships 0.3.21) fall
/// back to the generic SSE3 "Prescott" kernels for CPU models they do not
/// know — Emerald Rapids (family 6, model 207), for one, although it has
/// AVX-512 (OpenMathLib/OpenBLAS#4267, fixed by #4268). Prescott's `sgemm` runs
/// exact search about 1.5 times slower than the AVX-512 kernels. The choice
/// can only be made before the library loads, through the environment
/// variable `OPENBLAS_CORETYPE`; `preferredCoreType` says what to set.
public enum BLASKernels {
    /// BLAS runs single-threaded: searches spread their own blocks over the
    /// cores, and two levels of parallelism would fight. Evaluate before the
    /// first BLAS call (`_ = BLASKernels.singleThreaded`).
    static let singleThreaded: Void = openblas_set_num_threads(1)

    /// The core type OpenBLAS is running (e.g. "SkylakeX", "Haswell", "Prescott").
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// The core type to run instead of the current one, or nil when the
    /// current one is right: only when OpenBLAS fell back to Prescott, the
    /// user has not chosen (`OPENBLAS_CORETYPE` unset), and the CPU's flags
    /// (`/proc/cpuinfo`) show AVX-512 (SkylakeX kernels) or AVX2 with FMA
    /// (Haswell kernels). Results do not depend on the choice beyond float32
    /// rounding, which exact search's error margins cover for every order.
    public static var preferredCoreType: String? {
        let flags = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))
            .flatMap { $0.split(separator: "\n").first { $0.hasPrefix("flags") } }
            .map { $0.split(separator: " ").map(String.init) } ?? []
        return preferredCoreType(environment: ProcessInfo.processInfo.environment, coreName: coreName, flags: flags)
    }

    /// The decision of `preferredCoreType` from its inputs: the environment,
    /// the core type OpenBLAS chose, and the CPU's flags.
    static func preferredCoreType(environment: [String: String], coreName: String, flags: [String]) -> String? {
        guard environment["OPENBLAS_CORETYPE"] == nil, coreName == "Prescott" else { return nil }
        let flags = Set(flags)
        if flags.isSuperset(of: ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]) { return "SkylakeX" }
        if flags.isSuperset(of: ["avx2", "fma"]) { return "Haswell" }
        return nil
    }
}
