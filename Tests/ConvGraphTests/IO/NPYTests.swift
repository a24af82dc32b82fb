import Foundation
import Testing

@testable import ConvGraph

/// `Tests/ConvGraphTests/Fixtures/npy`, written by `make_fixtures.py` there.
let npyFixtureDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()  // IO
    .deletingLastPathComponent()  // ConvGraphTests
    .appendingPathComponent("Fixtures/npy")

func npyFixture(_ name: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: npyFixtureDirectory.appendingPathComponent(name)))
}

/// The value the fixtures hold at C-order flat index `i`.
func npyFixtureValue(_ i: Int) -> Double { Double(i) * 0.25 - 1.5 }

struct GoodFixture: Sendable, CustomTestStringConvertible {
    var name: String
    var dims: [Int]
    var testDescription: String { name }
}

struct BadFixture: Sendable, CustomTestStringConvertible {
    var name: String
    var error: NPYError
    var testDescription: String { name }
}

@Suite("NPY decoding")
struct NPYDecodeTests {
    static let good: [GoodFixture] = [
        GoodFixture(name: "v1_le_f8_2x3.npy", dims: [2, 3]),
        GoodFixture(name: "v1_le_f4_5.npy", dims: [5]),
        GoodFixture(name: "v1_be_f4_3x4.npy", dims: [3, 4]),
        GoodFixture(name: "v1_be_f8_2x2.npy", dims: [2, 2]),
        GoodFixture(name: "v1_fortran_f8_2x3x4.npy", dims: [2, 3, 4]),
        GoodFixture(name: "v1_fortran_be_f4_2x3x1x2.npy", dims: [2, 3, 1, 2]),
        GoodFixture(name: "v1_0d_f8.npy", dims: []),
        GoodFixture(name: "v1_1elem_f4.npy", dims: [1]),
        GoodFixture(name: "v1_empty_f8_2x0.npy", dims: [2, 0]),
        GoodFixture(name: "v2_le_f8_3.npy", dims: [3]),
        GoodFixture(name: "v3_le_f4_2x2.npy", dims: [2, 2]),
        GoodFixture(name: "v3_handmade_f8_2x3.npy", dims: [2, 3]),
        GoodFixture(name: "v1_handmade_f4_4.npy", dims: [4]),
        GoodFixture(name: "save_f8_2x3x4x5.npy", dims: [2, 3, 4, 5]),
        GoodFixture(name: "save_f4_1x2x1x3.npy", dims: [1, 2, 1, 3]),
        GoodFixture(name: "save_f8_0d.npy", dims: []),
        GoodFixture(name: "save_f4_7.npy", dims: [7]),
        GoodFixture(name: "save_f8_0x1234567890123.npy", dims: [0, 1234567890123]),
    ]

    @Test(arguments: good)
    func decodesAsDouble(_ fixture: GoodFixture) throws {
        let tensor = try NPY.decode(try npyFixture(fixture.name), as: Double.self)
        #expect(tensor.shape == Shape(fixture.dims))
        #expect(tensor.scalars == (0..<tensor.scalars.count).map(npyFixtureValue))
    }

    @Test(arguments: good)
    func decodesAsFloat(_ fixture: GoodFixture) throws {
        let tensor = try NPY.decode(try npyFixture(fixture.name), as: Float.self)
        #expect(tensor.shape == Shape(fixture.dims))
        #expect(tensor.scalars == (0..<tensor.scalars.count).map { Float(npyFixtureValue($0)) })
    }

    static let bad: [BadFixture] = [
        BadFixture(name: "bad_empty.npy", error: .emptyFile),
        BadFixture(name: "bad_magic.npy", error: .notNPYFile),
        BadFixture(name: "bad_text.npy", error: .notNPYFile),
        BadFixture(name: "bad_version.npy", error: .unsupportedVersion(major: 4, minor: 0)),
        BadFixture(name: "bad_short_preamble.npy", error: .truncatedHeader(expected: 10, actual: 7)),
        BadFixture(name: "bad_truncated_header.npy", error: .truncatedHeader(expected: 128, actual: 40)),
        BadFixture(
            name: "bad_header_length_absurd.npy",
            error: .headerTooLong(length: 0xFFFF_FFFF, limit: 65536)),
        BadFixture(name: "bad_truncated_data.npy", error: .dataSizeMismatch(expected: 48, actual: 45)),
        BadFixture(name: "bad_extra_data.npy", error: .dataSizeMismatch(expected: 48, actual: 56)),
        BadFixture(name: "bad_dtype_c16.npy", error: .unsupportedDType("<c16")),
        BadFixture(name: "bad_dtype_f2.npy", error: .unsupportedDType("<f2")),
        BadFixture(name: "bad_dtype_object.npy", error: .unsupportedDType("|O")),
        BadFixture(name: "bad_dtype_structured.npy", error: .unsupportedDType(nil)),
        BadFixture(name: "bad_dtype_long.npy", error: .unsupportedDType(nil)),
        BadFixture(name: "bad_shape_negative.npy", error: .invalidShape(.negativeDimension(axis: 0))),
        BadFixture(name: "bad_shape_overflow.npy", error: .tooManyElements(count: nil, limit: 1 << 31)),
        BadFixture(name: "bad_shape_huge.npy", error: .tooManyElements(count: 1 << 40, limit: 1 << 31)),
        BadFixture(name: "bad_shape_bigint.npy", error: .tooManyElements(count: nil, limit: Int.max)),
        BadFixture(name: "bad_shape_float.npy", error: .invalidShape(.nonIntegerDimension(axis: 0))),
        BadFixture(name: "bad_shape_list.npy", error: .invalidShape(.notATuple)),
        BadFixture(name: "bad_shape_int.npy", error: .invalidShape(.notATuple)),
        BadFixture(name: "bad_missing_key.npy", error: .missingKey("fortran_order")),
        BadFixture(name: "bad_extra_key.npy", error: .unexpectedKey("x")),
        BadFixture(name: "bad_duplicate_key.npy", error: .duplicateKey("descr")),
        BadFixture(name: "bad_fortran_int.npy", error: .invalidFortranOrder),
        BadFixture(name: "bad_syntax.npy", error: .malformedHeader(.unexpectedCharacter(offset: 16))),
        BadFixture(name: "bad_not_dict.npy", error: .malformedHeader(.notADictionary)),
        BadFixture(name: "bad_trailing.npy", error: .malformedHeader(.trailingContent(offset: 60))),
        BadFixture(name: "bad_v3_not_utf8.npy", error: .malformedHeader(.notUTF8)),
        BadFixture(name: "bad_empty_header.npy", error: .malformedHeader(.empty)),
    ]

    @Test(arguments: bad)
    func refuses(_ fixture: BadFixture) throws {
        let bytes = try npyFixture(fixture.name)
        #expect(throws: fixture.error) { try NPY.decode(bytes, as: Double.self) }
        #expect(throws: fixture.error) { try NPY.decode(bytes, as: Float.self) }
    }

    @Test func everyBadFixtureIsListed() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: npyFixtureDirectory.path)
        let listed = Set(Self.bad.map(\.name) + Self.good.map(\.name))
        #expect(Set(names.filter { $0.hasSuffix(".npy") }).subtracting(listed).isEmpty)
    }

    @Test func descriptionsShowNoRawContent() throws {
        for fixture in Self.bad {
            let message = fixture.error.description
            #expect(message.first?.isLowercase == true, "\(message)")
            #expect(!message.hasSuffix("."), "\(message)")
        }
        let long = try npyFixture("bad_dtype_long.npy")
        do throws(NPYError) {
            _ = try NPY.decode(long, as: Double.self)
            Issue.record("decoded")
        } catch {
            #expect(!error.description.contains("very long"))
            #expect(error.description.contains("<f4 <f8 |b1 |i1 |u1 <i2 <u2 <i4 <u4 <i8 <u8, and > byte orders"))
        }
        #expect(NPYError.unsupportedDType("<c16").description
            == "unsupported dtype '<c16' (accepted: <f4 <f8 |b1 |i1 |u1 <i2 <u2 <i4 <u4 <i8 <u8, and > byte orders)")
        // A hand-made case holding raw content is still not echoed.
        #expect(!NPYError.unexpectedKey("bad\nkey\u{1b}[31m").description.contains("bad"))
        #expect(NPYError.dataSizeMismatch(expected: 48, actual: 45).description
            == "the .npy data is 45 bytes but the shape and dtype need 48")
    }

    @Test func headerLimitIsConfigurable() throws {
        let bytes = try npyFixture("v1_le_f8_2x3.npy")
        #expect(throws: NPYError.headerTooLong(length: 118, limit: 100)) {
            try NPY.decode(bytes, as: Double.self, maxHeaderLength: 100)
        }
        _ = try NPY.decode(bytes, as: Double.self, maxHeaderLength: 118)
    }

    @Test func elementLimitIsConfigurable() throws {
        let bytes = try npyFixture("v1_le_f8_2x3.npy")
        #expect(throws: NPYError.tooManyElements(count: 6, limit: 5)) {
            try NPY.decode(bytes, as: Double.self, maxElements: 5)
        }
        _ = try NPY.decode(bytes, as: Double.self, maxElements: 6)
    }

    /// 2^40 doubles (8 TiB) would crash if allocated: the data size is checked first.
    @Test func hugeShapesAreRefusedBeforeAllocating() throws {
        let bytes = try npyFixture("bad_shape_huge.npy")
        #expect(throws: NPYError.dataSizeMismatch(expected: 1 << 43, actual: 0)) {
            try NPY.decode(bytes, as: Double.self, maxElements: Int.max)
        }
        #expect(throws: NPYError.tooManyElements(count: nil, limit: Int.max)) {
            try NPY.decode(try npyFixture("bad_shape_overflow.npy"), as: Double.self, maxElements: Int.max)
        }
    }

    /// Every prefix of a valid file, and every single-byte corruption of its header, is
    /// refused or decoded, never a trap.
    @Test func prefixesAndCorruptionsNeverTrap() throws {
        let bytes = try npyFixture("v1_fortran_be_f4_2x3x1x2.npy")
        for length in 0..<bytes.count {
            #expect(throws: NPYError.self) { try NPY.decode(Array(bytes[..<length]), as: Float.self) }
        }
        let replacements: [UInt8] = [0x00, 0x20, 0x27, 0x28, 0x29, 0x2C, 0x2D, 0x30, 0x39, 0x7B, 0x7D, 0xFF]
        for position in 0..<128 {
            for replacement in replacements {
                var corrupt = bytes
                corrupt[position] = replacement
                _ = try? NPY.decode(corrupt, as: Double.self)
            }
        }
    }

    @Test func fortranOrderTransposes() {
        // A 2x3 array [[0, 1, 2], [3, 4, 5]] stored column by column.
        #expect(NPY.fortranToC([0, 3, 1, 4, 2, 5], dims: [2, 3]) == [0, 1, 2, 3, 4, 5])
        #expect(NPY.fortranToC([1, 2, 3], dims: [3]) == [1, 2, 3])
    }

    @Test func headerSyntaxVariants() throws {
        func file(_ header: String, data: [UInt8] = [0, 0, 0, 0, 0, 0, 0xF8, 0x3F]) -> [UInt8] {
            let h = Array(header.utf8)
            return [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(h.count & 0xFF), UInt8(h.count >> 8)] + h + data
        }
        let one = try NPY.decode(file("{'descr':'<f8','fortran_order':True,'shape':(1,1)}"), as: Double.self)
        #expect(one.shape == [1, 1] && one.scalars == [1.5])
        let scalar = try NPY.decode(file("\n {'shape' : ( ) , 'descr' : \"<f8\" ,\n'fortran_order' : False , }\n\n"), as: Double.self)
        #expect(scalar.shape == [] && scalar.scalars == [1.5])
        let parens = try NPY.decode(file("{'descr': '<f8', 'fortran_order': False, 'shape': ((1),), }"), as: Double.self)
        #expect(parens.shape == [1])
        let cases: [(String, NPYError)] = [
            ("{'descr': '<f8', 'fortran_order': False, 'shape': (1,,), }", .malformedHeader(.unexpectedCharacter(offset: 53))),
            ("{'descr': '<f8', 'fortran_order': False, 'shape': (01,), }", .malformedHeader(.unexpectedCharacter(offset: 51))),
            ("{'descr': '<f8', 'fortran_order': false, 'shape': (1,), }", .malformedHeader(.unexpectedCharacter(offset: 34))),
            ("{'descr': b'<f8', 'fortran_order': False, 'shape': (1,), }", .malformedHeader(.unsupportedString(offset: 10))),
            ("{'descr': '<\\x66\\x38', 'fortran_order': False, 'shape': (1,), }", .malformedHeader(.unsupportedString(offset: 10))),
            ("{'descr': '''<f8''', 'fortran_order': False, 'shape': (1,), }", .malformedHeader(.unsupportedString(offset: 10))),
            ("{'descr': '<f8', 'fortran_order': False, 'shape': (1,)", .malformedHeader(.unexpectedEnd)),
            ("{'descr': '<f8', 'fortran_order': False, 'shape': (1,)} }", .malformedHeader(.trailingContent(offset: 56))),
            ("{,}", .malformedHeader(.unexpectedCharacter(offset: 1))),
            ("{1: 2}", .malformedHeader(.nonStringKey)),
            ("   ", .malformedHeader(.empty)),
            ("{'descr': '<f8', 'fortran_order': None, 'shape': (1,), }", .invalidFortranOrder),
            ("{'descr': '<f8', 'fortran_order': False, 'shape': (1, -0), }", .dataSizeMismatch(expected: 0, actual: 8)),
            ("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1e0), }", .invalidShape(.nonIntegerDimension(axis: 1))),
            ("{'descr': '<f8', 'fortran_order': False, 'shape': ('1',), }", .invalidShape(.nonIntegerDimension(axis: 0))),
            ("{'descr': '<f8', 'fortran_order': False, 'shape': (" + String(repeating: "(", count: 40) + "1" + String(repeating: ")", count: 40) + ",), }", .malformedHeader(.nestingTooDeep)),
            ("{'descr': '=f8', 'fortran_order': False, 'shape': (1,), }", .unsupportedDType("=f8")),
            ("{'descr': '', 'fortran_order': False, 'shape': (1,), }", .unsupportedDType(nil)),
            ("{'shape': (1,), 'fortran_order': False}", .missingKey("descr")),
            ("{'descr': '<f8', 'fortran_order': False}", .missingKey("shape")),
            ("{}", .missingKey("descr")),
        ]
        for (header, error) in cases {
            #expect(throws: error, "\(header)") { try NPY.decode(file(header), as: Double.self) }
        }
    }

    @Test func versionThreeHeaderIsUTF8() throws {
        // 'é' inside a descriptor: valid utf-8 in a 3.0 header, refused as a dtype.
        let h = Array("{'descr': '<f8é', 'fortran_order': False, 'shape': (), }".utf8)
        let bytes: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 3, 0, UInt8(h.count), 0, 0, 0] + h
        #expect(throws: NPYError.unsupportedDType(nil)) { try NPY.decode(bytes, as: Double.self) }
    }
}

@Suite("NPY encoding")
struct NPYEncodeTests {
    @Test(arguments: [
        ("save_f8_2x3x4x5.npy", [2, 3, 4, 5]),
        ("save_f8_0d.npy", []),
        ("save_f8_0x1234567890123.npy", [0, 1234567890123]),
        ("v1_le_f8_2x3.npy", [2, 3]),
    ])
    func doubleMatchesNumPySave(name: String, dims: [Int]) throws {
        let shape = Shape(dims)
        let tensor = Tensor<Double>(shape: shape, scalars: (0..<(shape.checkedCount ?? 0)).map(npyFixtureValue))
        #expect(NPY.encode(tensor) == (try npyFixture(name)))
    }

    @Test(arguments: [
        ("save_f4_1x2x1x3.npy", [1, 2, 1, 3]),
        ("save_f4_7.npy", [7]),
        ("v1_le_f4_5.npy", [5]),
        ("v1_1elem_f4.npy", [1]),
    ])
    func floatMatchesNumPySave(name: String, dims: [Int]) throws {
        let shape = Shape(dims)
        let tensor = Tensor<Float>(shape: shape, scalars: (0..<shape.count).map { Float(npyFixtureValue($0)) })
        #expect(NPY.encode(tensor) == (try npyFixture(name)))
    }

    @Test func headerIsAlignedTo64() {
        for rank in 0..<40 {
            let tensor = Tensor<Double>(zeros: Shape(Array(repeating: 1, count: rank)))
            let bytes = NPY.encode(tensor)
            let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            #expect((10 + headerLength) % 64 == 0)
            #expect(bytes[10 + headerLength - 1] == UInt8(ascii: "\n"))
            #expect(bytes.count == 10 + headerLength + 8)
        }
    }

    @Test func doubleBitPatternsRoundTrip() throws {
        let values: [Double] = [
            0, -0.0, .infinity, -.infinity, .nan, -.nan, Double(nan: 0x1234, signaling: false),
            .signalingNaN, .leastNonzeroMagnitude, -.leastNormalMagnitude, .greatestFiniteMagnitude, .pi,
        ]
        let tensor = Tensor(shape: [3, 4], scalars: values)
        let back = try NPY.decode(NPY.encode(tensor), as: Double.self)
        #expect(back.shape == tensor.shape)
        #expect(back.scalars.map(\.bitPattern) == values.map(\.bitPattern))
    }

    @Test func floatBitPatternsRoundTrip() throws {
        let values: [Float] = [
            0, -0.0, .infinity, -.infinity, .nan, -.nan, Float(nan: 0x123, signaling: false),
            .signalingNaN, .leastNonzeroMagnitude, -.leastNormalMagnitude, .greatestFiniteMagnitude, .pi,
        ]
        let tensor = Tensor(shape: [2, 2, 3], scalars: values)
        let back = try NPY.decode(NPY.encode(tensor), as: Float.self)
        #expect(back.shape == tensor.shape)
        #expect(back.scalars.map(\.bitPattern) == values.map(\.bitPattern))
    }

    @Test func convertsBetweenFloatAndDouble() throws {
        let doubles: [Double] = [0.1, -1e300, 1e-50, 3.4028235677973366e38, .infinity, -0.0, 1 + 0x1p-24]
        let asFloat = try NPY.decode(NPY.encode(Tensor(shape: [7], scalars: doubles)), as: Float.self)
        #expect(asFloat.scalars.map(\.bitPattern) == doubles.map { Float($0).bitPattern })
        #expect(asFloat.scalars[0] == Float(0.1))
        #expect(asFloat.scalars[1] == -.infinity)
        #expect(asFloat.scalars[5].sign == .minus)

        let floats: [Float] = [0.1, .leastNonzeroMagnitude, -.infinity]
        let asDouble = try NPY.decode(NPY.encode(Tensor(shape: [3], scalars: floats)), as: Double.self)
        #expect(asDouble.scalars == floats.map(Double.init))
        #expect(asDouble.scalars[1] == 0x1p-149)
    }

    /// A header over 65535 bytes switches to format 2.0; the default 64 KiB limit refuses it.
    @Test func hugeHeaderUsesVersionTwo() throws {
        let tensor = Tensor<Double>(shape: Shape(Array(repeating: 1, count: 30000)), scalars: [2.5])
        let bytes = NPY.encode(tensor)
        #expect(bytes[6] == 2 && bytes[7] == 0)
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
        #expect((12 + headerLength) % 64 == 0)
        #expect(throws: NPYError.headerTooLong(length: headerLength, limit: 65536)) {
            try NPY.decode(bytes, as: Double.self)
        }
        let back = try NPY.decode(bytes, as: Double.self, maxHeaderLength: 1 << 20)
        #expect(back == tensor)
    }
}
