// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "dptext",
    products: [
        .library(name: "DPText", targets: ["DPText"]),
        .executable(name: "dptext", targets: ["dptext"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        // Exact integer arithmetic for the rare slow path of exact coins (`ExponentialEnclosure`).
        .package(url: "https://github.com/attaswift/BigInt", from: "6.0.1"),
    ],
    targets: [
        // libhdf5 (Debian `libhdf5-dev`), C API.
        .systemLibrary(
            name: "CHDF5",
            pkgConfig: "hdf5",
            providers: [.apt(["libhdf5-dev"])]
        ),
        // OpenBLAS (Debian `libopenblas-dev`), CBLAS interface.
        .systemLibrary(
            name: "COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        // OpenSSL's libcrypto (Debian `libssl-dev`): RAND_bytes, the userspace
        // CSPRNG (seeded from the kernel) that unseeded runs draw from.
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        // hnswlib (Debian `libhnswlib-dev`, header-only), behind a small
        // extern "C" shim; SwiftPM links libstdc++ for C++ targets on Linux.
        // hnswlib is all templates compiled into the shim, so -O3 even in
        // debug builds (unoptimized it builds a graph several times slower).
        .target(name: "CHNSW", cxxSettings: [.unsafeFlags(["-O3"])]),
        // The two inner loops of exact screened search (a threshold scan and
        // a short dot product), in C so that they compile to vector
        // instructions; -O3 for the same reason as CHNSW.
        .target(name: "CScreening", cSettings: [.unsafeFlags(["-O3"])]),
        // The library is optimized in debug builds too: its tests are mostly
        // numerical, and unoptimized Swift arithmetic runs them 10–50× slower.
        .target(
            name: "DPText",
            dependencies: [
                "CHDF5", "COpenBLAS", "CHNSW", "CScreening", "COpenSSL",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "BigInt", package: "BigInt"),
            ],
            swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]
        ),
        .executableTarget(
            name: "dptext",
            dependencies: [
                "DPText",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "DPTextTests",
            // `dptext` is a dependency so its binary is built for the CLI tests.
            dependencies: ["DPText", "dptext"],
            resources: [.copy("Fixtures"), .copy("Golden")]
        ),
    ]
)
