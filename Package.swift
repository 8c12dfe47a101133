// swift-tools-version:6.0
import PackageDescription

/// Layers point one way: CBLAS, CZlib <- SSCLEngine <- sscl (executable).
/// The engine knows nothing of HTTP or SQL.
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
    ],
    targets: [
        .systemLibrary(
            name: "CBLAS",
            path: "Sources/CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            path: "Sources/CZlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(
            name: "SSCLEngine",
            dependencies: [
                "CBLAS",
                "CZlib",
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("Resources")]
        ),
        .executableTarget(
            name: "sscl",
            dependencies: [
                "SSCLEngine",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "SSCLEngineTests",
            dependencies: ["SSCLEngine"],
            resources: [.copy("Fixtures")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
