import Foundation
import Testing

@testable import ConvGraph

/// Integer and boolean `.npy` arrays (SPEC §6), from `Fixtures/npy/int` (`make_fixtures.py`).
@Suite("NPY integers and booleans")
struct NPYIntegerTests {
    static func fixture(_ name: String) throws -> [UInt8] { try npyFixture("int/" + name) }

    static let integerFiles: [String] = {
        var names: [String] = []
        for kind in ["i", "u"] {
            for size in [1, 2, 4, 8] {
                for order in size == 1 ? ["na"] : ["le", "be"] { names.append("\(kind)\(size)_\(order).npy") }
            }
        }
        return names
    }()

    @Test(arguments: integerFiles)
    func readsEveryIntegerDtypeExactly(_ name: String) throws {
        let bytes = try Self.fixture(name)
        let signed = name.hasPrefix("i")
        let expected = (0..<6).map { i in Double(3 * i) * (signed && i % 2 == 1 ? -1 : 1) }
        let f64 = try NPY.decode(bytes, as: Double.self)
        #expect(f64.shape == [2, 3])
        #expect(f64.scalars == expected)
        let f32 = try NPY.decode(bytes, as: Float.self)
        #expect(f32.scalars == expected.map { Float($0) })
    }

    @Test func readsBooleansAsZeroAndOne() throws {
        let tensor = try NPY.decode(try Self.fixture("b1_na.npy"), as: Double.self)
        #expect(tensor.scalars == [1, 0, 0, 1, 0, 0])
    }

    @Test func refusesPast2To24InFloat32NamingIndexAndValue() throws {
        let bytes = try Self.fixture("i4_past_2p24.npy")
        #expect(throws: NPYError.wholeNumberTooLarge(index: [1, 0], value: "16777218", bits: 24, dtype: .float32)) {
            try NPY.decode(bytes, as: Float.self)
        }
        // The same file is exact in float64.
        #expect(try NPY.decode(bytes, as: Double.self).scalars[3] == 16_777_218)
        // Read as float64 but held to float32 (a `{file:}` in a float32 graph).
        #expect(throws: NPYError.wholeNumberTooLarge(index: [1, 0], value: "16777218", bits: 24, dtype: .float32)) {
            try NPY.decode(bytes, as: Double.self, exactIn: .float32)
        }
        #expect(NPYError.wholeNumberTooLarge(index: [1, 0], value: "16777218", bits: 24, dtype: .float32).description
            == "the value 16777218 at index [1, 0] exceeds 2^24 in magnitude, past the whole numbers a float32 graph holds exactly")
    }

    @Test func fortranOrderReportsTheCOrderIndex() throws {
        let bytes = try Self.fixture("i8_be_past_2p24_fortran.npy")
        #expect(throws: NPYError.wholeNumberTooLarge(index: [1, 0], value: "16777218", bits: 24, dtype: .float32)) {
            try NPY.decode(bytes, as: Float.self)
        }
        let tensor = try NPY.decode(bytes, as: Double.self)
        #expect(tensor.scalars == [0, 1, 2, 16_777_218, 4, 5])
    }

    @Test func refusesPast2To53InFloat64() throws {
        // 2^53 itself is accepted; −2^53 − 1 is the first past it.
        #expect(throws: NPYError.wholeNumberTooLarge(index: [1], value: "-9007199254740993", bits: 53, dtype: .float64)) {
            try NPY.decode(try Self.fixture("i8_past_2p53.npy"), as: Double.self)
        }
        #expect(throws: NPYError.wholeNumberTooLarge(index: [0], value: "18446744073709551615", bits: 53, dtype: .float64)) {
            try NPY.decode(try Self.fixture("u8_max.npy"), as: Double.self)
        }
    }

    @Test func loaderNamesTheFileAndShowPrintsTheStoredDtype() throws {
        let path = npyFixtureDirectory.appendingPathComponent("int/i4_past_2p24.npy").path
        guard case .failure(let error) = TensorFileLoader.load(path, limits: .default, as: Float.self) else {
            Issue.record("loaded")
            return
        }
        #expect(error.exitCode == 65)
        #expect(error.description.hasPrefix("\(path): error: the value 16777218 at index [1, 0] exceeds 2^24"))
        let text = try TensorSummary.describe(file: npyFixtureDirectory.appendingPathComponent("int/u2_be.npy").path)
        #expect(text.contains("shape [2, 3], uint16, 6 elements"))
        #expect(text.contains("values: 0.0, 3.0, 6.0, 9.0, 12.0, 15.0"))
    }

    @Test func shapesFillWithTrailingOnes() {
        #expect(Shape([5]).fills([5, 1, 1, 1]))
        #expect(Shape([5, 3]).fills([5, 3, 1, 1]))
        #expect(Shape([5, 3, 1, 1]).fills([5, 3, 1, 1]))
        #expect(!Shape([5, 3]).fills([5, 1, 3, 1]))
        #expect(!Shape([1, 5]).fills([5, 1, 1, 1]))
        #expect(!Shape([5, 1, 1, 1, 1]).fills([5, 1, 1, 1]))
    }
}
