/// Why a byte string is not a `.npy` tensor this package reads (SPEC §6, §8).
///
/// Descriptions are lowercase, without a final period, and never echo raw file content:
/// the only file-derived text they show is a short token (a dtype descriptor or a key)
/// that is printable ASCII of at most 16 characters; anything else is described, not shown.
public enum NPYError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file has no bytes at all.
    case emptyFile
    /// The file does not start with the `\x93NUMPY` magic string.
    case notNPYFile
    /// A format version other than 1.0, 2.0 or 3.0.
    case unsupportedVersion(major: Int, minor: Int)
    /// The declared header length exceeds the limit (checked before anything is read).
    case headerTooLong(length: Int, limit: Int)
    /// The file ends inside the preamble or the header: `expected` bytes were needed
    /// up to the end of the header, only `actual` exist.
    case truncatedHeader(expected: Int, actual: Int)
    /// The header is not the Python dict literal NumPy writes.
    case malformedHeader(HeaderProblem)
    /// One of `descr`, `fortran_order`, `shape` is absent.
    case missingKey(String)
    /// A key other than the three above (`nil` when it is not a short printable token).
    case unexpectedKey(String?)
    /// A key appears twice (`nil` when it is not a short printable token).
    case duplicateKey(String?)
    /// A `descr` other than those in `acceptedDescriptors` (`nil` when it is not a short printable
    /// string, e.g. a structured dtype's list).
    case unsupportedDType(String?)
    /// `fortran_order` is not `True` or `False`.
    case invalidFortranOrder
    /// `shape` is not a tuple of non-negative integers.
    case invalidShape(ShapeProblem)
    /// The element count exceeds the limit; `count` is `nil` when it overflows `Int`.
    case tooManyElements(count: Int?, limit: Int)
    /// The data after the header is not exactly `expected` bytes long.
    case dataSizeMismatch(expected: Int, actual: Int)
    /// An integer whose magnitude exceeds 2^`bits`, the largest whole number the graph
    /// dtype (`dtype`) is held to (SPEC §6: 2^24 for float32, 2^53 for float64), whether
    /// or not it happens to be representable; `index` is the element's index in C order.
    case wholeNumberTooLarge(index: [Int], value: String, bits: Int, dtype: DType)

    /// What is wrong with the header's syntax.
    public enum HeaderProblem: Equatable, Sendable, CustomStringConvertible {
        /// The header is empty or only whitespace.
        case empty
        /// A version 3.0 header that is not valid UTF-8.
        case notUTF8
        /// The header is valid syntax but not a dict.
        case notADictionary
        /// A character that does not fit the grammar at this byte offset in the header.
        case unexpectedCharacter(offset: Int)
        /// The header ends before the dict does.
        case unexpectedEnd
        /// A string with escapes, a prefix or a line break, at this offset.
        case unsupportedString(offset: Int)
        /// Tuples or lists nested deeper than the parser allows.
        case nestingTooDeep
        /// Something other than whitespace after the closing brace, at this offset.
        case trailingContent(offset: Int)
        /// A dict key that is not a string.
        case nonStringKey

        public var description: String {
            switch self {
            case .empty: "the header is empty"
            case .notUTF8: "the version 3.0 header is not valid utf-8"
            case .notADictionary: "the header is not a dict"
            case .unexpectedCharacter(let offset): "unexpected character at header offset \(offset)"
            case .unexpectedEnd: "the header ends inside the dict"
            case .unsupportedString(let offset): "unsupported string literal at header offset \(offset)"
            case .nestingTooDeep: "the header nests too deeply"
            case .trailingContent(let offset): "unexpected content after the dict at header offset \(offset)"
            case .nonStringKey: "a header key is not a string"
            }
        }
    }

    /// What is wrong with the `shape` value.
    public enum ShapeProblem: Equatable, Sendable, CustomStringConvertible {
        /// `shape` is not a tuple.
        case notATuple
        /// The dimension at `axis` is not an integer.
        case nonIntegerDimension(axis: Int)
        /// The dimension at `axis` is negative.
        case negativeDimension(axis: Int)

        public var description: String {
            switch self {
            case .notATuple: "shape is not a tuple"
            case .nonIntegerDimension(let axis): "dimension \(axis) is not an integer"
            case .negativeDimension(let axis): "dimension \(axis) is negative"
            }
        }
    }

    /// The descriptors `decode` accepts.
    public static let acceptedDescriptors = ["<f4", "<f8", ">f4", ">f8", "|b1", "|i1", "|u1",
                                             "<i2", "<u2", "<i4", "<u4", "<i8", "<u8",
                                             ">i2", ">u2", ">i4", ">u4", ">i8", ">u8"]

    /// `token` if it is 1…16 printable ASCII characters other than quotes and backslash,
    /// else `nil`: the only form in which file content may appear in a message.
    public static func sanitizedToken(_ token: String) -> String? {
        let scalars = token.unicodeScalars
        guard !scalars.isEmpty, scalars.count <= 16 else { return nil }
        for s in scalars {
            guard s.value >= 0x20, s.value <= 0x7E, s != "'", s != "\"", s != "\\" else { return nil }
        }
        return token
    }

    private static func quoted(_ token: String?, otherwise: String) -> String {
        if let token, let clean = sanitizedToken(token) { return "'\(clean)'" }
        return otherwise
    }

    public var description: String {
        switch self {
        case .emptyFile:
            return "the file is empty"
        case .notNPYFile:
            return "not a numpy .npy file (bad magic string)"
        case .unsupportedVersion(let major, let minor):
            return "unsupported .npy format version \(major).\(minor) (accepted: 1.0, 2.0, 3.0)"
        case .headerTooLong(let length, let limit):
            return "the .npy header is \(length) bytes, over the limit of \(limit) bytes"
        case .truncatedHeader(let expected, let actual):
            return "the file ends inside the .npy header (needs \(expected) bytes, has \(actual))"
        case .malformedHeader(let problem):
            return "malformed .npy header: \(problem)"
        case .missingKey(let key):
            return "the .npy header lacks the key \(Self.quoted(key, otherwise: "(unprintable)"))"
        case .unexpectedKey(let key):
            return "the .npy header has an unexpected key \(Self.quoted(key, otherwise: "(not shown)"))"
        case .duplicateKey(let key):
            return "the .npy header repeats the key \(Self.quoted(key, otherwise: "(not shown)"))"
        case .unsupportedDType(let descr):
            let accepted = "<f4 <f8 |b1 |i1 |u1 <i2 <u2 <i4 <u4 <i8 <u8, and > byte orders"
            return "unsupported dtype \(Self.quoted(descr, otherwise: "(not a simple descriptor)")) (accepted: \(accepted))"
        case .invalidFortranOrder:
            return "fortran_order in the .npy header is not True or False"
        case .invalidShape(let problem):
            return "invalid .npy shape: \(problem)"
        case .tooManyElements(let count, let limit):
            if let count {
                return "the .npy shape has \(count) elements, over the limit of \(limit)"
            }
            return "the .npy shape's element count overflows (limit \(limit))"
        case .dataSizeMismatch(let expected, let actual):
            return "the .npy data is \(actual) bytes but the shape and dtype need \(expected)"
        case .wholeNumberTooLarge(let index, let value, let bits, let dtype):
            let at = "[" + index.map(String.init).joined(separator: ", ") + "]"
            return "the value \(value) at index \(at) exceeds 2^\(bits) in magnitude, past the whole numbers a \(dtype.rawValue) graph holds exactly"
        }
    }
}
