import Foundation
import Testing

@testable import ConvGraph

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A fresh empty directory, removed by `cleanUp`.
private func makeTemporaryDirectory() throws -> String {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("convgraph-io-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    return path
}

private func cleanUp(_ path: String) {
    try? FileManager.default.removeItem(atPath: path)
}

@Suite("File reading and writing")
struct FileReadingTests {
    @Test func readsARegularFile() throws {
        let dir = try makeTemporaryDirectory()
        defer { cleanUp(dir) }
        let path = dir + "/data.bin"
        let bytes = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try writeFileAtomically(bytes, toPath: path)
        #expect(try readRegularFile(atPath: path, maxBytes: 200_000) == bytes)
        try writeFileAtomically([], toPath: dir + "/empty")
        #expect(try readRegularFile(atPath: dir + "/empty", maxBytes: 0) == [])
    }

    @Test func readsAnNPYFixture() throws {
        let path = npyFixtureDirectory.appendingPathComponent("v1_le_f8_2x3.npy").path
        let tensor = try NPY.decode(try readRegularFile(atPath: path, maxBytes: 1 << 20), as: Double.self)
        #expect(tensor.shape == [2, 3])
    }

    @Test func refusesADirectory() throws {
        let dir = try makeTemporaryDirectory()
        defer { cleanUp(dir) }
        #expect(throws: FileReadError.notRegularFile(path: dir)) {
            try readRegularFile(atPath: dir, maxBytes: 1 << 20)
        }
    }

    @Test func refusesAFIFOWithoutBlocking() throws {
        let dir = try makeTemporaryDirectory()
        defer { cleanUp(dir) }
        let path = dir + "/pipe"
        #expect(mkfifo(path, 0o600) == 0)
        let start = Date()
        #expect(throws: FileReadError.notRegularFile(path: path)) {
            try readRegularFile(atPath: path, maxBytes: 1 << 20)
        }
        #expect(Date().timeIntervalSince(start) < 2)
    }

    @Test func refusesADevice() {
        #expect(throws: FileReadError.notRegularFile(path: "/dev/null")) {
            try readRegularFile(atPath: "/dev/null", maxBytes: 1 << 20)
        }
    }

    @Test func reportsAMissingFile() throws {
        let dir = try makeTemporaryDirectory()
        defer { cleanUp(dir) }
        #expect(throws: FileReadError.notFound(path: dir + "/nope.npy")) {
            try readRegularFile(atPath: dir + "/nope.npy", maxBytes: 1 << 20)
        }
        try writeFileAtomically([1], toPath: dir + "/file")
        #expect(throws: FileReadError.notFound(path: dir + "/file/child")) {
            try readRegularFile(atPath: dir + "/file/child", maxBytes: 1 << 20)
        }
    }

    @Test func refusesATooLargeFile() throws {
        let dir = try makeTemporaryDirectory()
        defer { cleanUp(dir) }
        let path = dir + "/big"
        try writeFileAtomically([UInt8](repeating: 7, count: 1001), toPath: path)
        #expect(throws: FileReadError.tooLarge(path: path, size: 1001, limit: 1000)) {
            try readRegularFile(atPath: path, maxBytes: 1000)
        }
        #expect(try readRegularFile(atPath: path, maxBytes: 1001).count == 1001)
    }

    @Test func reportsAnUnreadableFile() throws {
        guard geteuid() != 0 else { return }  // root reads anything
        let dir = try makeTemporaryDirectory()
        defer { cleanUp(dir) }
        let path = dir + "/secret"
        try writeFileAtomically([1, 2, 3], toPath: path)
        #expect(chmod(path, 0) == 0)
        #expect(throws: FileReadError.self) { try readRegularFile(atPath: path, maxBytes: 100) }
        do {
            _ = try readRegularFile(atPath: path, maxBytes: 100)
        } catch {
            guard case .unreadable = error else {
                Issue.record("expected unreadable, got \(error)")
                return
            }
        }
    }

    @Test func atomicWriteReplacesAndLeavesNoTemporaryFile() throws {
        let dir = try makeTemporaryDirectory()
        defer { cleanUp(dir) }
        let path = dir + "/out.npy"
        try writeFileAtomically([1, 2, 3], toPath: path)
        try writeFileAtomically([4, 5], toPath: path)
        #expect(try readRegularFile(atPath: path, maxBytes: 10) == [4, 5])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["out.npy"])
    }

    @Test func atomicWriteFailureLeavesNothing() throws {
        let dir = try makeTemporaryDirectory()
        defer { cleanUp(dir) }
        // The parent directory does not exist.
        #expect(throws: FileWriteError.self) {
            try writeFileAtomically([1], toPath: dir + "/missing/out.npy")
        }
        // The target is a non-empty directory: the rename fails and the temporary goes.
        try FileManager.default.createDirectory(atPath: dir + "/taken/sub", withIntermediateDirectories: true)
        do {
            try writeFileAtomically([1], toPath: dir + "/taken")
            Issue.record("wrote over a directory")
        } catch {
            guard case .cannotRename = error else {
                Issue.record("expected cannotRename, got \(error)")
                return
            }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["taken"])
    }
}
