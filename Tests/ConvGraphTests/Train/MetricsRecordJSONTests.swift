import Foundation
import XCTest

@testable import ConvGraph

/// `metrics.jsonl` lines: the SPEC's keys in order, exact doubles, and the way back.
final class MetricsRecordJSONTests: XCTestCase {
    /// The same record, comparing doubles by bits (so NaN equals NaN).
    func assertSameBits(_ a: MetricsRecord, _ b: MetricsRecord, file: StaticString = #filePath, line: UInt = #line) {
        switch (a, b) {
        case let (.train(s1, e1, lr1, l1, sp1), .train(s2, e2, lr2, l2, sp2)):
            XCTAssertEqual([s1, e1], [s2, e2], file: file, line: line)
            XCTAssertEqual([lr1, l1, sp1].map(\.bitPattern), [lr2, l2, sp2].map(\.bitPattern), file: file, line: line)
        case let (.eval(s1, e1, l1, a1), .eval(s2, e2, l2, a2)):
            XCTAssertEqual([s1, e1], [s2, e2], file: file, line: line)
            XCTAssertEqual(l1.bitPattern, l2.bitPattern, file: file, line: line)
            XCTAssertEqual(a1?.bitPattern, a2?.bitPattern, file: file, line: line)
        default:
            XCTFail("\(a) vs \(b)", file: file, line: line)
        }
    }

    func testLinesHaveTheSpecKeysInOrder() {
        XCTAssertEqual(
            MetricsRecord.train(step: 10, epoch: 1, lr: 0.1, loss: 2.5, samplesPerSecond: 1234.5).jsonLine,
            #"{"kind":"train","step":10,"epoch":1,"lr":0.1,"loss":2.5,"samples_per_s":1234.5}"#)
        XCTAssertEqual(
            MetricsRecord.eval(step: 50, epoch: 1, loss: 0.25, accuracy: 0.972).jsonLine,
            #"{"kind":"eval","step":50,"epoch":1,"loss":0.25,"accuracy":0.972}"#)
        XCTAssertEqual(
            MetricsRecord.eval(step: 50, epoch: 1, loss: 2, accuracy: nil).jsonLine,
            #"{"kind":"eval","step":50,"epoch":1,"loss":2.0,"accuracy":null}"#)
    }

    /// Doubles that need all 17 digits, the extremes of the range and subnormals read back bit
    /// for bit.
    func testDoublesRoundTripExactly() throws {
        let hard: [Double] = [
            0.1, 0.1 + 0.2, 1e-300, .leastNonzeroMagnitude, 2.2250738585072014e-308, .greatestFiniteMagnitude, 1e16, 123_456_789.012_345_68,
            -0.0, 2.302585092994046, 1 / 3, 0.000_123, 1e22, 1e23,
        ]
        for x in hard {
            let records: [MetricsRecord] = [
                .train(step: 7, epoch: 2, lr: x, loss: x, samplesPerSecond: x),
                .eval(step: 9, epoch: 3, loss: x, accuracy: x),
            ]
            for record in records {
                let back = try MetricsRecord(jsonLine: record.jsonLine)
                assertSameBits(record, back)
                XCTAssertEqual(back.jsonLine, record.jsonLine)
            }
        }
    }

    /// An independent reader (Python's `json`, then `float.hex`) sees the same doubles.
    func testPythonReadsTheSameDoubles() throws {
        let python = ["/usr/bin/python3", "/usr/local/bin/python3"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let python else { throw XCTSkip("python3 is not installed") }
        let values: [Double] = [0.1, 0.30000000000000004, 1e-300, .leastNonzeroMagnitude, 1.7976931348623157e308, 1e16, 2.0, 6.02214076e23]
        let text = values.map { MetricsRecord.train(step: 1, epoch: 1, lr: $0, loss: 1, samplesPerSecond: 1).jsonLine }.joined(separator: "\n")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", "import json,sys\nfor l in sys.stdin: print(json.loads(l)['lr'].hex())"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data(text.utf8))
        try input.fileHandleForWriting.close()
        let lines = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n").map(String.init)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        // float.hex: 0x1.<13 hex digits>p<exp>; build the same text from the bits.
        func hex(_ x: Double) -> String {
            if x == 0 { return "0x0.0p+0" }
            let fraction = String(x.significandBitPattern, radix: 16)
            let padded = String(repeating: "0", count: 13 - fraction.count) + fraction
            if x.isSubnormal { return "0x0.\(padded)p-1022" }
            let e = Int(x.exponentBitPattern) - 1023
            return "0x1.\(padded)p\(e >= 0 ? "+" : "")\(e)"
        }
        XCTAssertEqual(lines, values.map(hex))
    }

    func testNonFiniteValuesAreWrittenAsNullAndReadAsNaN() throws {
        let line = MetricsRecord.train(step: 3, epoch: 1, lr: 0.5, loss: .nan, samplesPerSecond: .infinity).jsonLine
        XCTAssertEqual(line, #"{"kind":"train","step":3,"epoch":1,"lr":0.5,"loss":null,"samples_per_s":null}"#)
        guard case .train(3, 1, 0.5, let loss, let speed) = try MetricsRecord(jsonLine: line) else { return XCTFail() }
        XCTAssertTrue(loss.isNaN)
        XCTAssertTrue(speed.isNaN)
        let eval = MetricsRecord.eval(step: 4, epoch: 1, loss: -.infinity, accuracy: .nan).jsonLine
        XCTAssertEqual(eval, #"{"kind":"eval","step":4,"epoch":1,"loss":null,"accuracy":null}"#)
        guard case .eval(4, 1, let evalLoss, nil) = try MetricsRecord(jsonLine: eval) else { return XCTFail() }
        XCTAssertTrue(evalLoss.isNaN)
    }

    func testReadingAcceptsAnyKeyOrderAndIntegerNumbers() throws {
        let record = try MetricsRecord(jsonLine: #" {"accuracy": 1, "loss": 3, "epoch": 2, "step": 8, "kind": "eval"} "#)
        XCTAssertEqual(record, .eval(step: 8, epoch: 2, loss: 3, accuracy: 1))
    }

    func testBadLinesAreRefusedWithTheReason() {
        func problem(_ line: String) -> MetricsDecodingError.Problem? {
            do { _ = try MetricsRecord(jsonLine: line); return nil } catch { return error.problem }
        }
        XCTAssertEqual(problem("[1]"), .notAnObject)
        XCTAssertEqual(problem(#"{"kind":"test","step":1}"#), .unknownKind)
        XCTAssertEqual(problem(#"{"step":1}"#), .missingKey("kind"))
        XCTAssertEqual(problem(#"{"kind":3}"#), .wrongType(key: "kind"))
        XCTAssertEqual(problem(#"{"kind":"eval","step":1,"epoch":1,"loss":1}"#), .missingKey("accuracy"))
        XCTAssertEqual(problem(#"{"kind":"eval","step":1.0,"epoch":1,"loss":1,"accuracy":null}"#), .wrongType(key: "step"))
        XCTAssertEqual(problem(#"{"kind":"eval","step":1,"epoch":1,"loss":"1","accuracy":null}"#), .wrongType(key: "loss"))
        XCTAssertEqual(problem(#"{"kind":"eval","step":1,"epoch":1,"loss":1,"accuracy":null,"lr":1}"#), .unexpectedKey("lr"))
        XCTAssertEqual(problem(#"{"kind":"eval","step":1,"epoch":1,"loss":1,"accuracy":null,"step":2}"#), .duplicateKey("step"))
        XCTAssertEqual(problem(#"{"kind":"eval","step":1,"epoch":1,"loss":NaN,"accuracy":null}"#), .json(.unexpectedCharacter(offset: 41)))
        XCTAssertEqual(problem(""), .json(.empty))
        XCTAssertEqual(problem(#"{"kind":"eval","step":1,"epoch":1,"loss":[1],"accuracy":null}"#), .wrongType(key: "loss"))
        XCTAssertEqual(problem(#"{"kind":"eval","step":1,"epoch":1,"loss":{"a":[1]},"accuracy":null}"#), .json(.nestingTooDeep(limit: 2)))
        XCTAssertEqual(problem(String(repeating: " ", count: 1 << 16) + "{}"), .tooLong(limit: 1 << 16))
    }

    func testAFileOfLinesWithCRLFAndBlankLines() throws {
        let records: [MetricsRecord] = [
            .train(step: 10, epoch: 1, lr: 0.1, loss: 2.3, samplesPerSecond: 100),
            .eval(step: 10, epoch: 1, loss: 2.1, accuracy: 0.2),
            .train(step: 20, epoch: 2, lr: 0.05, loss: 1.9, samplesPerSecond: 101),
        ]
        let text = records.map(\.jsonLine).joined(separator: "\r\n") + "\r\n\n"
        XCTAssertEqual(try MetricsRecord.records(jsonLines: text), records)
        XCTAssertEqual(try MetricsRecord.records(jsonLines: ""), [])
        let broken = records.map(\.jsonLine).joined(separator: "\n") + "\n{\"kind\":\"train\""
        XCTAssertThrowsError(try MetricsRecord.records(jsonLines: broken)) { error in
            XCTAssertEqual((error as? MetricsDecodingError)?.line, 4)
            XCTAssertEqual((error as? MetricsDecodingError)?.description, "metrics.jsonl line 4: not JSON: \(JSONParseError.unexpectedEnd)")
        }
    }
}
