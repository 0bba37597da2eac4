// swift-tools-version: 6.0
// libFuzzer targets for dptext (see README.md here). A separate package, so
// that a plain `swift build` of the root never links these executables,
// which get their `main` from libFuzzer:
//
//   swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
//
// or simply ../fuzz.sh.
import PackageDescription

let package = Package(
    name: "dptext-fuzz",
    dependencies: [
        .package(name: "dptext", path: "../.."),
    ],
    targets: [
        // The checks, shared with the regression tests (a symlink to
        // Tests/DPTextTests/Fuzz/FuzzChecks.swift).
        .target(name: "FuzzChecks", dependencies: [.product(name: "DPText", package: "dptext")]),
        // libFuzzer's driver entry point, declared for Swift.
        .target(name: "CLibFuzzer"),
        .executableTarget(name: "FuzzRoundTrip", dependencies: ["FuzzChecks", "CLibFuzzer"]),
        .executableTarget(name: "FuzzJSONLine", dependencies: ["FuzzChecks", "CLibFuzzer"]),
        .executableTarget(name: "FuzzHDF5Store", dependencies: ["FuzzChecks", "CLibFuzzer"]),
    ]
)
