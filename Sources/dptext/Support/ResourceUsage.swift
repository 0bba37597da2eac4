import Foundation

/// Peak resident memory of this process so far, in bytes (`getrusage`).
func peakResidentBytes() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return usage.ru_maxrss * 1024  // Linux reports kilobytes.
}

/// Seconds taken by `body`, with its result.
func timed<T>(_ body: () throws -> T) rethrows -> (result: T, seconds: Double) {
    let start = DispatchTime.now().uptimeNanoseconds
    let result = try body()
    return (result, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
}

/// Megabytes (10⁶ bytes) with one decimal.
func megabytes(_ bytes: Int) -> String {
    String(format: "%.1f MB", Double(bytes) / 1e6)
}
