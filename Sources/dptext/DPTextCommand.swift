import ArgumentParser
import DPText
#if canImport(Glibc)
import Glibc
#endif

@main
struct DPTextCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dptext",
        abstract: "Rewrite text with differentially private word substitution.",
        subcommands: [PrivatizeCommand.self, EvaluateCommand.self, EmbeddingsCommand.self, NeighborsCommand.self, BenchCommand.self,
                      ReportCommand.self, CacheCommand.self, MechanismsCommand.self]
    )

    /// Runs the command, first restarting the process once with
    /// `OPENBLAS_CORETYPE` set when OpenBLAS chose its slow generic kernels
    /// on a CPU it does not know (`BLASKernels`). Nothing has been read or
    /// written yet, so the restart is invisible; if it fails, the command
    /// runs on the generic kernels.
    static func main() {
        if let coreType = BLASKernels.preferredCoreType, setenv("OPENBLAS_CORETYPE", coreType, 1) == 0 {
            execv("/proc/self/exe", CommandLine.unsafeArgv)
        }
        main(nil)
    }
}
