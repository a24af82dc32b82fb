// swift-tools-version:6.0
// Coverage-guided fuzz targets (libFuzzer) for the ConvGraph library. Self-contained so
// the root package is untouched; build and run with ../Scripts/fuzz.sh (see README.md).
import PackageDescription

let package = Package(
    name: "ConvGraphFuzz",
    dependencies: [
        .package(name: "ConvGraph", path: ".."),
    ],
    targets: [
        .target(name: "FuzzSupport", dependencies: [.product(name: "ConvGraph", package: "ConvGraph")]),
        .executableTarget(name: "fuzz-graph-loader", dependencies: ["FuzzSupport", .product(name: "ConvGraph", package: "ConvGraph")],
                          path: "Sources/FuzzGraphLoader"),
        .executableTarget(name: "fuzz-npy", dependencies: ["FuzzSupport", .product(name: "ConvGraph", package: "ConvGraph")],
                          path: "Sources/FuzzNPY"),
        .executableTarget(name: "fuzz-safetensors", dependencies: ["FuzzSupport", .product(name: "ConvGraph", package: "ConvGraph")],
                          path: "Sources/FuzzSafetensors"),
        .executableTarget(name: "fuzz-overrides", dependencies: ["FuzzSupport", .product(name: "ConvGraph", package: "ConvGraph")],
                          path: "Sources/FuzzOverrides"),
        // Not a fuzz target: the 10,000-run memory soak (Scripts/soak.sh), built in release.
        .executableTarget(name: "soak", dependencies: [.product(name: "ConvGraph", package: "ConvGraph")],
                          path: "Sources/Soak"),
    ]
)
