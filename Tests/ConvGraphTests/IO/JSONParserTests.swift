import Foundation
import XCTest

@testable import ConvGraph

/// The strict JSON reader: RFC 8259 documents in, everything else refused with a reason.
final class JSONParserTests: XCTestCase {
    func problem(_ text: String, limits: JSONParser.Limits = .default) -> JSONParseError? {
        do { _ = try JSONParser.parse(text, limits: limits); return nil } catch { return error }
    }

    func testValuesOfEveryKind() throws {
        let value = try JSONParser.parse(#" {"a": [1, -2.5e3, true, false, null, {}], "b": "x\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00", "c": []} "#)
        XCTAssertEqual(
            value,
            .object([
                ("a", .array([.int(1), .double(-2500), .bool(true), .bool(false), .null, .object([])])),
                ("b", .string("x\"\\/\u{8}\u{C}\n\r\t\u{E9}\u{1F600}")), ("c", .array([])),
            ]))
        // Keys keep their order; serialising gives the compact text back.
        XCTAssertEqual(try JSONParser.parse(#"{"z":1,"a":[2.5,"é"]}"#).serialized(indent: nil), #"{"z":1,"a":[2.5,"é"]}"#)
    }

    func testNumbers() throws {
        XCTAssertEqual(try JSONParser.parse("0"), .int(0))
        XCTAssertEqual(try JSONParser.parse("-9223372036854775808"), .int(Int.min))
        XCTAssertEqual(try JSONParser.parse("9223372036854775808"), .double(9_223_372_036_854_775_808))
        XCTAssertEqual(try JSONParser.parse("1E2"), .double(100))
        XCTAssertEqual(try JSONParser.parse("1e-400"), .double(0))
        // Correct rounding: the halfway case 2^53 + 1 rounds to even, 0.1 is the nearest double.
        XCTAssertEqual(try JSONParser.parse("9007199254740993.0"), .double(9_007_199_254_740_992))
        guard case .double(let tenth) = try JSONParser.parse("0.1") else { return XCTFail() }
        XCTAssertEqual(tenth.bitPattern, 0x3FB9_9999_9999_999A)
        for bad in ["01", "-", "1.", ".5", "+1", "1e", "1e+", "0x10", "-01"] {
            let error = problem(bad)
            XCTAssertTrue(
                error?.problem == .invalidNumber || error?.problem == .unexpectedCharacter || error?.problem == .trailingContent,
                "\(bad): \(String(describing: error))")
        }
        XCTAssertEqual(problem("1e400"), JSONParseError(.numberOutOfRange, offset: 0))
        XCTAssertEqual(problem("[NaN]"), JSONParseError(.unexpectedCharacter, offset: 1))
        XCTAssertEqual(problem("Infinity"), JSONParseError(.unexpectedCharacter, offset: 0))
    }

    func testStringsAreStrict() {
        XCTAssertEqual(problem("\"a\u{1}b\""), JSONParseError(.controlCharacterInString, offset: 2))
        XCTAssertEqual(problem(#""\ud800""#), JSONParseError(.invalidEscape, offset: 1))
        XCTAssertEqual(problem(#""\udc00""#), JSONParseError(.invalidEscape, offset: 1))
        XCTAssertEqual(problem(#""\ud800\u0041""#), JSONParseError(.invalidEscape, offset: 1))
        XCTAssertEqual(problem(#""\x41""#), JSONParseError(.invalidEscape, offset: 1))
        XCTAssertEqual(problem(#""\u12""#), JSONParseError(.invalidEscape, offset: 1))
        XCTAssertEqual(problem("\"abc"), JSONParseError(.unexpectedEnd, offset: 4))
        XCTAssertThrowsError(try JSONParser.parse([0x22, 0xFF, 0x22])) { error in
            XCTAssertEqual(error as? JSONParseError, JSONParseError(.invalidUTF8, offset: 0))
        }
    }

    func testStructureIsStrict() {
        XCTAssertEqual(problem(""), JSONParseError(.unexpectedEnd, offset: 0))
        XCTAssertEqual(problem("   "), JSONParseError(.unexpectedEnd, offset: 3))
        XCTAssertEqual(problem("[1,]"), JSONParseError(.unexpectedCharacter, offset: 3))
        XCTAssertEqual(problem(#"{"a":1,}"#), JSONParseError(.unexpectedCharacter, offset: 7))
        XCTAssertEqual(problem(#"{"a" 1}"#), JSONParseError(.unexpectedCharacter, offset: 5))
        XCTAssertEqual(problem(#"{a:1}"#), JSONParseError(.unexpectedCharacter, offset: 1))
        XCTAssertEqual(problem(#"{"a":1,"a":2}"#), JSONParseError(.duplicateKey, offset: 7))
        XCTAssertEqual(problem("1 2"), JSONParseError(.trailingContent, offset: 2))
        XCTAssertEqual(problem("tru"), JSONParseError(.unexpectedEnd, offset: 3))
        XCTAssertEqual(problem("nul1"), JSONParseError(.unexpectedCharacter, offset: 3))
        XCTAssertEqual(problem("[1 // c\n]"), JSONParseError(.unexpectedCharacter, offset: 3))
    }

    func testLimits() throws {
        let limits = JSONParser.Limits(maxBytes: 100, maxDepth: 3)
        XCTAssertNoThrow(try JSONParser.parse("[[[1]]]", limits: limits))
        XCTAssertEqual(problem("[[[[1]]]]", limits: limits), JSONParseError(.nestingTooDeep(limit: 3), offset: 3))
        XCTAssertEqual(problem(#"{"a":{"b":{"c":{}}}}"#, limits: limits), JSONParseError(.nestingTooDeep(limit: 3), offset: 15))
        XCTAssertEqual(problem(String(repeating: " ", count: 100) + "1", limits: limits), JSONParseError(.tooLong(limit: 100), offset: 0))
        // The default depth guards the recursion: a million brackets are refused, not a crash.
        let deep = String(repeating: "[", count: 1_000_000)
        XCTAssertEqual(problem(deep)?.problem, .nestingTooDeep(limit: 128))
        XCTAssertEqual(JSONParseError(.duplicateKey, offset: 7).description, "duplicate key in an object (at byte 7)")
    }
}
