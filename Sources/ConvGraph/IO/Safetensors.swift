/// Reading and writing `.safetensors` files (https://github.com/huggingface/safetensors;
/// SPEC §7 `--params FILE.safetensors`, §10 `params.safetensors`).
///
/// The format: an 8-byte little-endian unsigned header length N, N bytes of UTF-8 JSON, then
/// the data buffer. The JSON is an object mapping each tensor name to
/// `{"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}` (offsets into the
/// buffer, little-endian C-order data), with an optional `"__metadata__"` object of strings.
/// The tensors cover the buffer exactly: no gap, no overlap, nothing after the last.
///
/// `encode` writes what the Python package's `safetensors.numpy.save` writes for the same
/// tensors: compact JSON with `__metadata__` first, tensors ordered F64 before F32 and then by
/// name (byte order; the Rust writer sorts by dtype, then name), data in that order, the
/// header padded with spaces to a multiple of 8 bytes. Metadata keys are sorted by name (the
/// Python package's order for them is a hash map's). The output is therefore the same bytes
/// for the same tensors and metadata, in whatever order they are given.
///
/// `decode` reads F32 and F64 (kept as float32 and float64 tensors) and the integer and
/// boolean dtypes `BOOL U8 I8 U16 I16 U32 I32 U64 I64` (converted exactly to float64, each value
/// held to the whole numbers the `exactIn` dtype holds exactly, as integer `.npy` files are:
/// SPEC §6). Every size in the header is checked against the limits and the file before
/// anything is allocated for it; any other dtype (F16, BF16, F8_*, …) is an error naming it.
public enum Safetensors {
    /// The name the format reserves for the metadata object.
    public static let metadataKey = "__metadata__"

    /// One tensor's entry in a checked header.
    public struct Entry: Sendable, Equatable {
        /// The tensor's name (a key of the header).
        public var name: String
        /// The dtype as the header names it (`F32`, `I64`, …): one of `SafetensorsError.acceptedDTypes`.
        public var dtype: String
        public var shape: Shape
        /// The tensor's bytes, as offsets into the whole file (not the buffer).
        public var byteRange: Range<Int>
    }

    /// A checked header: the entries in header order, and the metadata.
    public struct Header: Sendable, Equatable {
        public var entries: [Entry]
        public var metadata: [String: String]
        /// Where the data buffer starts in the file (8 + N).
        public var dataOffset: Int
    }

    // MARK: Encoding

    /// The bytes of a `.safetensors` file holding `tensors` (F32 for float32, F64 for float64)
    /// and, when not empty, `metadata`.
    /// - Throws: `.duplicateName` when two tensors share a name, or one is named
    ///   `__metadata__` (the format cannot hold it); nothing else.
    public static func encode(_ tensors: [(name: String, tensor: AnyTensor)], metadata: [String: String] = [:]) throws(SafetensorsError) -> [UInt8] {
        var seen = Set<String>()
        for (name, _) in tensors {
            guard name != metadataKey, seen.insert(name).inserted else { throw .duplicateName(name) }
        }
        let ordered = tensors.sorted { a, b in
            let sa = a.tensor.dtype.byteSize, sb = b.tensor.dtype.byteSize
            return sa != sb ? sa > sb : a.name.utf8.lexicographicallyPrecedes(b.name.utf8)
        }
        var json = [UInt8]("{".utf8)
        var first = true
        if !metadata.isEmpty {
            json += "\"__metadata__\":{".utf8
            for (k, (key, value)) in metadata.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }).enumerated() {
                if k > 0 { json.append(UInt8(ascii: ",")) }
                appendString(key, to: &json)
                json.append(UInt8(ascii: ":"))
                appendString(value, to: &json)
            }
            json.append(UInt8(ascii: "}"))
            first = false
        }
        var offset = 0
        for (name, tensor) in ordered {
            if !first { json.append(UInt8(ascii: ",")) }
            first = false
            let size = tensor.shape.count * tensor.dtype.byteSize
            appendString(name, to: &json)
            json += ":{\"dtype\":\"\(tensor.dtype == .float64 ? "F64" : "F32")\",\"shape\":[".utf8
            json += tensor.shape.dims.map(String.init).joined(separator: ",").utf8
            json += "],\"data_offsets\":[\(offset),\(offset + size)]}".utf8
            offset += size
        }
        json.append(UInt8(ascii: "}"))
        json += repeatElement(UInt8(ascii: " "), count: (8 - json.count % 8) % 8)

        var out = [UInt8]()
        out.reserveCapacity(8 + json.count + offset)
        for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: UInt64(json.count) >> UInt64(8 * i))) }
        out += json
        for (_, tensor) in ordered {
            switch tensor {
            case .float32(let t): for x in t.scalars { appendLittleEndian(x.bitPattern, to: &out) }
            case .float64(let t): for x in t.scalars { appendLittleEndian(x.bitPattern, to: &out) }
            }
        }
        return out
    }

    private static func appendLittleEndian<I: FixedWidthInteger>(_ value: I, to out: inout [UInt8]) {
        var v = value.littleEndian
        withUnsafeBytes(of: &v) { out.append(contentsOf: $0) }
    }

    /// `s` as a JSON string the way serde_json (the Rust writer) escapes it: `"`, `\`,
    /// `\b \f \n \r \t`, other control characters as `\u00xx`; everything else raw UTF-8.
    private static func appendString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += "\\\"".utf8
            case UInt8(ascii: "\\"): out += "\\\\".utf8
            case 0x08: out += "\\b".utf8
            case 0x0C: out += "\\f".utf8
            case 0x0A: out += "\\n".utf8
            case 0x0D: out += "\\r".utf8
            case 0x09: out += "\\t".utf8
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out += "\\u00".utf8
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 15)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    // MARK: Decoding

    /// Decodes every tensor of a `.safetensors` file, in header order.
    /// - Parameters:
    ///   - bytes: the whole file.
    ///   - limits: `maxSafetensorsHeaderBytes` bounds the header, `maxTensorElements` each tensor.
    ///   - exactness: the dtype whose whole numbers an integer tensor must stay within
    ///     (default float64: 2^53).
    ///   - selected: which tensors to convert (default all); the others' entries are
    ///     checked all the same, their data is not read.
    /// - Throws: `SafetensorsError` for anything that is not a valid file of accepted dtypes
    ///   within the limits; never traps on file content.
    public static func decode(_ bytes: [UInt8], limits: Limits, exactIn exactness: DType = .float64,
                              selecting selected: (String) -> Bool = { _ in true }) throws(SafetensorsError) -> [(name: String, tensor: AnyTensor)] {
        let header = try decodeHeader(bytes, limits: limits)
        var out: [(name: String, tensor: AnyTensor)] = []
        for entry in header.entries where selected(entry.name) {
            out.append((entry.name, try tensor(entry, in: bytes, exactIn: exactness)))
        }
        return out
    }

    /// Reads and checks the header: its length against the limit and the file, the JSON, each
    /// entry's keys, dtype, shape (against `limits.maxTensorElements`) and offsets, and that
    /// the tensors cover the data buffer exactly.
    public static func decodeHeader(_ bytes: [UInt8], limits: Limits) throws(SafetensorsError) -> Header {
        guard bytes.count >= 8 else { throw .truncated(size: bytes.count) }
        var n: UInt64 = 0
        for i in (0..<8).reversed() { n = n << 8 | UInt64(bytes[i]) }
        guard n <= UInt64(Int.max) else { throw .headerTooLong(length: nil, limit: limits.maxSafetensorsHeaderBytes) }
        let length = Int(n)
        guard length <= limits.maxSafetensorsHeaderBytes else {
            throw .headerTooLong(length: length, limit: limits.maxSafetensorsHeaderBytes)
        }
        guard length <= bytes.count - 8 else { throw .headerBeyondFile(length: length, available: bytes.count - 8) }
        let dataOffset = 8 + length
        let bufferSize = bytes.count - dataOffset

        let json: JSONValue
        do {
            // Nothing valid nests deeper than 3: header → entry → shape.
            json = try JSONParser.parse(bytes[8..<dataOffset], maxDepth: 3)
        } catch {
            throw .invalidJSON(error)
        }
        guard case .object(let members) = json else { throw .headerNotAnObject }

        var names = Set<String>()
        var metadata: [String: String] = [:]
        var entries: [(entry: Entry, begin: Int, end: Int)] = []
        for (name, value) in members {
            guard names.insert(name).inserted else { throw .duplicateName(name) }
            if name == metadataKey {
                guard case .object(let pairs) = value else { throw .invalidMetadata }
                for (key, item) in pairs {
                    guard case .string(let text) = item, metadata.updateValue(text, forKey: key) == nil else { throw .invalidMetadata }
                }
                continue
            }
            entries.append(try entry(name, value, limits: limits, dataOffset: dataOffset, bufferSize: bufferSize))
        }

        // The tensors tile the buffer: in offset order (empty ones first at a shared offset),
        // each begins where the previous ended.
        let tiled = entries.sorted { ($0.begin, $0.end) < ($1.begin, $1.end) }
        var reached = 0
        var last: String?
        for (entry, begin, end) in tiled {
            if begin < reached { throw .overlap(tensor: entry.name, previous: last ?? "", offset: begin) }
            if begin > reached { throw .gap(from: reached, to: begin) }
            reached = end
            if end > begin { last = entry.name }
        }
        if reached < bufferSize { throw .trailingBytes(count: bufferSize - reached) }
        return Header(entries: entries.map(\.entry), metadata: metadata, dataOffset: dataOffset)
    }

    /// Element kind and size of an accepted dtype.
    private static func kind(_ dtype: String) -> (NPY.ElementKind, Int)? {
        switch dtype {
        case "F32": (.float, 4)
        case "F64": (.float, 8)
        case "BOOL": (.bool, 1)
        case "U8": (.unsigned, 1)
        case "I8": (.signed, 1)
        case "U16": (.unsigned, 2)
        case "I16": (.signed, 2)
        case "U32": (.unsigned, 4)
        case "I32": (.signed, 4)
        case "U64": (.unsigned, 8)
        case "I64": (.signed, 8)
        default: nil
        }
    }

    /// One checked entry with its buffer offsets.
    private static func entry(_ name: String, _ value: JSONValue, limits: Limits, dataOffset: Int,
                              bufferSize: Int) throws(SafetensorsError) -> (entry: Entry, begin: Int, end: Int) {
        guard case .object(let pairs) = value else { throw .entryNotAnObject(tensor: name) }
        var dtypeValue: JSONValue?, shapeValue: JSONValue?, offsetsValue: JSONValue?
        for (key, item) in pairs {
            switch key {
            case "dtype" where dtypeValue == nil: dtypeValue = item
            case "shape" where shapeValue == nil: shapeValue = item
            case "data_offsets" where offsetsValue == nil: offsetsValue = item
            default: throw .unexpectedKey(tensor: name, key: key)
            }
        }
        guard let dtypeValue else { throw .missingKey(tensor: name, key: "dtype") }
        guard let shapeValue else { throw .missingKey(tensor: name, key: "shape") }
        guard let offsetsValue else { throw .missingKey(tensor: name, key: "data_offsets") }

        guard case .string(let dtype) = dtypeValue else { throw .invalidDType(tensor: name) }
        guard let (_, itemSize) = kind(dtype) else { throw .unsupportedDType(tensor: name, dtype: dtype) }

        guard case .array(let dimValues) = shapeValue else { throw .invalidShape(tensor: name) }
        var dims: [Int] = []
        dims.reserveCapacity(dimValues.count)
        for d in dimValues {
            guard case .int(let v) = d, v >= 0 else { throw .invalidShape(tensor: name) }
            dims.append(v)
        }
        var count = 1
        var overflow = false
        for d in dims where !overflow {
            (count, overflow) = count.multipliedReportingOverflow(by: d)
        }
        // A zero dimension makes the count 0 whatever the others; the overflow of the
        // others still counts as too many (numpy refuses such shapes too).
        if overflow { throw .tooManyElements(tensor: name, count: nil, limit: limits.maxTensorElements) }
        guard count <= limits.maxTensorElements else {
            throw .tooManyElements(tensor: name, count: count, limit: limits.maxTensorElements)
        }
        let (byteCount, sizeOverflow) = count.multipliedReportingOverflow(by: itemSize)
        if sizeOverflow { throw .tooManyElements(tensor: name, count: count, limit: Int.max / itemSize) }

        guard case .array(let offsets) = offsetsValue, offsets.count == 2,
              case .int(let begin) = offsets[0], case .int(let end) = offsets[1], begin >= 0, begin <= end else {
            throw .invalidOffsets(tensor: name)
        }
        guard end - begin == byteCount else { throw .sizeMismatch(tensor: name, expected: byteCount, actual: end - begin) }
        guard end <= bufferSize else { throw .offsetsOutOfRange(tensor: name, end: end, bufferSize: bufferSize) }
        return (Entry(name: name, dtype: dtype, shape: Shape(dims), byteRange: (dataOffset + begin)..<(dataOffset + end)), begin, end)
    }

    /// The tensor of a checked entry: F32 as float32, F64 as float64, integers and booleans
    /// as float64 held to `exactness`.
    private static func tensor(_ entry: Entry, in bytes: [UInt8], exactIn exactness: DType) throws(SafetensorsError) -> AnyTensor {
        guard let (kind, itemSize) = kind(entry.dtype) else { throw .unsupportedDType(tensor: entry.name, dtype: entry.dtype) }
        let count = entry.shape.count
        switch (kind, itemSize) {
        case (.float, 4):
            return AnyTensor(Tensor(shape: entry.shape, scalars: load(UInt32.self, bytes, entry.byteRange, count).map(Float.init(bitPattern:))))
        case (.float, _):
            return AnyTensor(Tensor(shape: entry.shape, scalars: load(UInt64.self, bytes, entry.byteRange, count).map(Double.init(bitPattern:))))
        default:
            let header = NPY.Header(major: 1, itemSize: itemSize, bigEndian: false, fortranOrder: false, dims: entry.shape.dims,
                                    kind: kind, descriptor: "", dataOffset: entry.byteRange.lowerBound)
            do {
                let scalars = try NPY.wholeNumbers(bytes, header: header, count: count, limit: exactness, as: Double.self)
                return AnyTensor(Tensor(shape: entry.shape, scalars: scalars))
            } catch {
                if case .wholeNumberTooLarge(let index, let value, let bits, let dtype) = error {
                    throw .wholeNumberTooLarge(tensor: entry.name, index: index, value: value, bits: bits, dtype: dtype)
                }
                throw .invalidOffsets(tensor: entry.name)  // not reached: wholeNumbers throws nothing else
            }
        }
    }

    /// `count` little-endian integers of `I` from `range` (exactly `count` items long).
    private static func load<I: FixedWidthInteger>(_: I.Type, _ bytes: [UInt8], _ range: Range<Int>, _ count: Int) -> [I] {
        [I](unsafeUninitializedCapacity: count) { buffer, initialized in
            bytes.withUnsafeBytes { raw in
                let source = UnsafeRawBufferPointer(rebasing: raw[range])
                UnsafeMutableRawBufferPointer(buffer).copyMemory(from: source)
            }
            for k in 0..<count { buffer[k] = I(littleEndian: buffer[k]) }
            initialized = count
        }
    }
}
