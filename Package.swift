// swift-tools-version:6.1
import PackageDescription

/// Layers point one way:
///   CBLAS, SSCLZlib, CPNG, CJPEG <- SSCLEngine (compute: no HTTP, no SQL)
///   CLibPQ <- SSCLStore (SQLite through GRDB, or PostgreSQL through libpq: no HTTP)
///   SSCLHTTP (a minimal HTTP/1.1 server on POSIX sockets: knows nothing of jobs)
///   SSCLService (REST API, scheduler, worker processes) <- SSCLEngine, SSCLStore, SSCLHTTP
///   sscl (the executable: serve, train, worker, selftest) wires them up.
let package = Package(
    name: "sscl",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "sscl", targets: ["sscl"]),
        .library(name: "SSCLEngine", targets: ["SSCLEngine"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        // Zip archives: NumPy's .npz files and uploaded image folders.
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
    ],
    targets: [
        .systemLibrary(
            name: "CBLAS",
            path: "Sources/CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .systemLibrary(
            // Not "CZlib": ZIPFoundation declares a module of that name for the same library.
            name: "SSCLZlib",
            path: "Sources/SSCLZlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // Image folders: libpng's simplified API and libjpeg-turbo decode PNG and JPEG files.
        .systemLibrary(
            name: "CPNG",
            path: "Sources/CPNG",
            pkgConfig: "libpng16",
            providers: [.apt(["libpng-dev"])]
        ),
        .systemLibrary(
            name: "CJPEG",
            path: "Sources/CJPEG",
            pkgConfig: "libjpeg",
            providers: [.apt(["libjpeg62-turbo-dev"])]
        ),
        // The PostgreSQL store: libpq, PostgreSQL's own C client.
        .systemLibrary(
            name: "CLibPQ",
            path: "Sources/CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        .target(
            name: "SSCLEngine",
            dependencies: [
                "CBLAS",
                "SSCLZlib",
                "CPNG",
                "CJPEG",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            resources: [.copy("Resources")],
            // AVX2 + FMA for the element-wise loops around the GEMMs (SIMD8 exp, ReLU masks,
            // phase splits): twice the lanes of the x86-64 baseline. The developers' guide
            // allows haswell or znver3; OpenBLAS picks its own kernel at run time either way.
            swiftSettings: [.unsafeFlags(["-target-cpu", "haswell"], .when(configuration: .release))]
        ),
        .target(
            name: "SSCLStore",
            dependencies: [
                "CLibPQ",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "SSCLHTTP",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "SSCLService",
            dependencies: [
                "SSCLEngine",
                "SSCLStore",
                "SSCLHTTP",
                // Uploaded image folders: zip archives, and gzip-compressed tar streams.
                "SSCLZlib",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "sscl",
            dependencies: [
                "SSCLEngine",
                "SSCLService",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "SSCLEngineTests",
            // CPNG and CJPEG: the tests write real PNG and JPEG files with the same libraries.
            dependencies: ["SSCLEngine", "CPNG", "CJPEG", .product(name: "Logging", package: "swift-log")],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "SSCLStoreTests", dependencies: ["SSCLStore", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "SSCLHTTPTests", dependencies: ["SSCLHTTP", .product(name: "Logging", package: "swift-log")]),
        // Both need no code of the executable (training runs through SSCLEngine's
        // `TrainingRun`); they depend on `sscl` only so that the binary is built beside them:
        // they spawn it as a process (`sscl worker` behind the service, the CLI itself).
        .testTarget(
            name: "SSCLServiceTests",
            dependencies: ["SSCLService", "SSCLEngine", "sscl", .product(name: "Logging", package: "swift-log"),
                           // Builds the zip archives the upload tests send.
                           .product(name: "ZIPFoundation", package: "ZIPFoundation")]
        ),
        .testTarget(name: "ssclTests", dependencies: ["SSCLEngine", "sscl"]),
    ],
    swiftLanguageModes: [.v6]
)
