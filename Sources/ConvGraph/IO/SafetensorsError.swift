/// Why a byte string is not a `.safetensors` file this package reads (SPEC §7, §8).
///
/// Descriptions are lowercase, without a final period, and never echo raw file content: a
/// tensor name, key or dtype appears only when it is 1…64 printable ASCII characters (other
/// than quotes and backslash); anything else is described, not shown.
public enum SafetensorsError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Fewer than the 8 bytes of the header length.
    case truncated(size: Int)
    /// The header length (the first 8 bytes, little-endian) exceeds the limit; checked
    /// before anything is read. `length` is `nil` when it does not fit `Int`.
    case headerTooLong(length: Int?, limit: Int)
    /// The header length runs past the end of the file (`available` bytes follow the length).
    case headerBeyondFile(length: Int, available: Int)
    /// The header is not one JSON value.
    case invalidJSON(JSONParseError)
    /// The header is JSON but not an object.
    case headerNotAnObject
    /// `__metadata__` is not an object of strings.
    case invalidMetadata
    /// A key (tensor name or `__metadata__`) appears twice in the header.
    case duplicateName(String)
    /// A tensor's entry is not an object.
    case entryNotAnObject(tensor: String)
    /// A tensor's entry lacks `dtype`, `shape` or `data_offsets`.
    case missingKey(tensor: String, key: String)
    /// A tensor's entry has a key other than those three, or one of them twice.
    case unexpectedKey(tensor: String, key: String)
    /// `dtype` is not a string.
    case invalidDType(tensor: String)
    /// A dtype other than `acceptedDTypes` (F16, BF16, F8_*, complex …).
    case unsupportedDType(tensor: String, dtype: String)
    /// `shape` is not an array of non-negative integers.
    case invalidShape(tensor: String)
    /// The shape's element count exceeds the limit; `count` is `nil` when it overflows `Int`.
    case tooManyElements(tensor: String, count: Int?, limit: Int)
    /// `data_offsets` is not two non-negative integers `[begin, end]` with begin ≤ end.
    case invalidOffsets(tensor: String)
    /// `end − begin` differs from what the shape and dtype need.
    case sizeMismatch(tensor: String, expected: Int, actual: Int)
    /// `end` lies past the byte buffer (`bufferSize` bytes after the header).
    case offsetsOutOfRange(tensor: String, end: Int, bufferSize: Int)
    /// Two tensors share bytes: `tensor` begins at `offset`, before `previous` ends.
    case overlap(tensor: String, previous: String, offset: Int)
    /// Bytes `[from, to)` of the buffer belong to no tensor.
    case gap(from: Int, to: Int)
    /// The buffer holds `count` bytes after the last tensor.
    case trailingBytes(count: Int)
    /// An integer whose magnitude exceeds 2^`bits`, the whole numbers `dtype` holds exactly
    /// (SPEC §6); `index` is the element's C-order index.
    case wholeNumberTooLarge(tensor: String, index: [Int], value: String, bits: Int, dtype: DType)

    /// The dtypes `Safetensors.decode` reads.
    public static let acceptedDTypes = ["F32", "F64", "BOOL", "U8", "I8", "U16", "I16", "U32", "I32", "U64", "I64"]

    /// `text` quoted when it is 1…64 printable ASCII characters other than quotes and
    /// backslash, else `otherwise`.
    static func shown(_ text: String, otherwise: String = "(not shown)") -> String {
        let scalars = text.unicodeScalars
        guard !scalars.isEmpty, scalars.count <= 64,
              scalars.allSatisfy({ $0.value >= 0x20 && $0.value <= 0x7E && $0 != "'" && $0 != "\"" && $0 != "\\" }) else {
            return otherwise
        }
        return "'\(text)'"
    }

    public var description: String {
        switch self {
        case .truncated(let size):
            return "the file is \(size) bytes, too short for a safetensors header length (8 bytes)"
        case .headerTooLong(let length, let limit):
            let shown = length.map { "\($0) bytes" } ?? "more than 2^63 bytes"
            return "the safetensors header is \(shown), over the limit of \(limit) bytes"
        case .headerBeyondFile(let length, let available):
            return "the safetensors header length is \(length) bytes, but only \(available) bytes follow it"
        case .invalidJSON(let problem):
            return "the safetensors header is not valid json: \(problem)"
        case .headerNotAnObject:
            return "the safetensors header is not a json object"
        case .invalidMetadata:
            return "__metadata__ in the safetensors header is not an object of strings"
        case .duplicateName(let name):
            return "the safetensors header names \(Self.shown(name)) twice"
        case .entryNotAnObject(let tensor):
            return "the entry of tensor \(Self.shown(tensor)) is not a json object"
        case .missingKey(let tensor, let key):
            return "the entry of tensor \(Self.shown(tensor)) lacks '\(key)'"
        case .unexpectedKey(let tensor, let key):
            return "the entry of tensor \(Self.shown(tensor)) has an unexpected or repeated key \(Self.shown(key))"
        case .invalidDType(let tensor):
            return "the dtype of tensor \(Self.shown(tensor)) is not a string"
        case .unsupportedDType(let tensor, let dtype):
            return "tensor \(Self.shown(tensor)) has the unsupported dtype \(Self.shown(dtype)) (accepted: \(Self.acceptedDTypes.joined(separator: " ")))"
        case .invalidShape(let tensor):
            return "the shape of tensor \(Self.shown(tensor)) is not a list of non-negative integers"
        case .tooManyElements(let tensor, let count, let limit):
            if let count { return "tensor \(Self.shown(tensor)) has \(count) elements, over the limit of \(limit)" }
            return "the element count of tensor \(Self.shown(tensor)) overflows (limit \(limit))"
        case .invalidOffsets(let tensor):
            return "the data_offsets of tensor \(Self.shown(tensor)) are not two non-negative integers [begin, end] with begin <= end"
        case .sizeMismatch(let tensor, let expected, let actual):
            return "tensor \(Self.shown(tensor)) spans \(actual) bytes, but its shape and dtype need \(expected)"
        case .offsetsOutOfRange(let tensor, let end, let bufferSize):
            return "tensor \(Self.shown(tensor)) ends at byte \(end), past the \(bufferSize)-byte data buffer"
        case .overlap(let tensor, let previous, let offset):
            return "tensor \(Self.shown(tensor)) begins at byte \(offset), inside tensor \(Self.shown(previous))"
        case .gap(let from, let to):
            return "bytes \(from)..<\(to) of the data buffer belong to no tensor"
        case .trailingBytes(let count):
            return "the data buffer has \(count) bytes after the last tensor"
        case .wholeNumberTooLarge(let tensor, let index, let value, let bits, let dtype):
            let at = "[" + index.map(String.init).joined(separator: ", ") + "]"
            return "tensor \(Self.shown(tensor)): the value \(value) at index \(at) exceeds 2^\(bits) in magnitude, past the whole numbers a \(dtype.rawValue) graph holds exactly"
        }
    }
}
