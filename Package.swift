// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "ConvGraph",
    products: [
        .library(name: "ConvGraph", targets: ["ConvGraph"]),
        .executable(name: "convgraph", targets: ["convgraph"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // `swift package generate-documentation` builds the DocC catalog (a plugin only).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        // Micro-kernels with runtime CPU dispatch and the conv/pool drivers (no CPU flags needed).
        .target(name: "CKernels"),
        .target(name: "ConvGraph", dependencies: ["CYAML", "CKernels"]),
        .executableTarget(
            name: "convgraph",
            dependencies: [
                "ConvGraph",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "embed-example", dependencies: ["ConvGraph"], path: "Examples/Embed"),
        .executableTarget(name: "session-example", dependencies: ["ConvGraph"], path: "Examples/Session"),
        .executableTarget(name: "train-example", dependencies: ["ConvGraph"], path: "Examples/Train"),
        .testTarget(name: "ConvGraphTests", dependencies: ["ConvGraph"], exclude: ["Fixtures"]),
    ]
)
