import CLibFuzzer
import FuzzChecks

/// libFuzzer's entry point: the JSONL record reader.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    do { try FuzzChecks.jsonLine(bytes) } catch { fatalError("\(error)") }
    return 0
}

/// The process entry point. SwiftPM links an executable on Linux with
/// `--defsym main=FuzzJSONLine_main`, which `-parse-as-library` never emits,
/// so it is defined here and hands over to libFuzzer's driver. (Built with
/// plain `swiftc -sanitize=fuzzer -parse-as-library`, libFuzzer's own
/// `main` is used and this is never called.)
@_cdecl("FuzzJSONLine_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv, fuzzOne)
}
