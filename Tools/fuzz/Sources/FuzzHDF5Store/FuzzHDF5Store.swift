import CLibFuzzer
import Foundation
import FuzzChecks

/// Where each input is written for libhdf5 to open: one file per process,
/// in $DPTEXT_FUZZ_SCRATCH (Tools/fuzz.sh sets it), else /dev/shm, else the
/// temporary folder.
let scratchPath: String = {
    let folder = ProcessInfo.processInfo.environment["DPTEXT_FUZZ_SCRATCH"]
        ?? (access("/dev/shm", W_OK) == 0 ? "/dev/shm" : NSTemporaryDirectory())
    return folder + "/dptext-fuzz-hdf5-\(getpid()).h5"
}()

/// libFuzzer's entry point: the HDF5 store loader, on a mutated store file.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    do { try FuzzChecks.hdf5Store(bytes, scratchPath: scratchPath) } catch { fatalError("\(error)") }
    return 0
}

/// The process entry point. SwiftPM links an executable on Linux with
/// `--defsym main=FuzzHDF5Store_main`, which `-parse-as-library` never emits,
/// so it is defined here and hands over to libFuzzer's driver. (Built with
/// plain `swiftc -sanitize=fuzzer -parse-as-library`, libFuzzer's own
/// `main` is used and this is never called.)
@_cdecl("FuzzHDF5Store_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv, fuzzOne)
}
