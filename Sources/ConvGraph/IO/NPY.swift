/// Reading and writing NumPy `.npy` files (SPEC §6, §8).
///
/// `decode` reads format versions 1.0, 2.0 and 3.0 with the float descriptors `<f4 <f8 >f4
/// >f8` and the integer and boolean ones of `NPY+Integers.swift`, in C or Fortran order, and
/// converts to the requested scalar type. Every size in the
/// file is checked against the limits and the file length before anything is allocated.
/// `encode` writes exactly what `numpy.save` writes for the same C-ordered array.
public enum NPY {
    /// `\x93NUMPY`.
    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]
    /// NumPy aligns the data after the header to this many bytes.
    static let alignment = 64
    /// NumPy leaves room in the header for the growth axis to reach this many digits.
    static let growthAxisMaxDigits = 21

    // MARK: Decoding

    /// Decodes a `.npy` file's bytes into a C-ordered tensor of `T`.
    ///
    /// - Parameters:
    ///   - bytes: the whole file.
    ///   - type: the scalar type of the result; the file's dtype is converted to it.
    ///   - maxHeaderLength: the largest header (the dict text) accepted, in bytes.
    ///   - maxElements: the largest element count accepted.
    ///   - exactness: the dtype whose whole numbers an integer file must stay within
    ///     (2^24 for float32, 2^53 for float64); default `T`'s. A `{file:}` is read as
    ///     float64 in a float32 graph and checked against float32.
    /// - Throws: `NPYError` for anything that is not a valid `.npy` of an accepted dtype,
    ///   or that exceeds a limit; never traps on file content.
    public static func decode<T: TensorScalar>(
        _ bytes: [UInt8],
        as type: T.Type = T.self,
        maxHeaderLength: Int = 65536,
        maxElements: Int = 1 << 31,
        exactIn exactness: DType? = nil
    ) throws(NPYError) -> Tensor<T> {
        let header = try parseHeader(bytes, maxHeaderLength: maxHeaderLength)
        let dims = header.dims
        let shape = Shape(dims)
        guard let count = shape.checkedCount else {
            throw .tooManyElements(count: nil, limit: maxElements)
        }
        guard count <= maxElements else {
            throw .tooManyElements(count: count, limit: maxElements)
        }
        let (byteCount, overflow) = count.multipliedReportingOverflow(by: header.itemSize)
        guard !overflow else {
            throw .tooManyElements(count: count, limit: min(maxElements, Int.max / header.itemSize))
        }
        let actual = bytes.count - header.dataOffset
        guard actual == byteCount else {
            throw .dataSizeMismatch(expected: byteCount, actual: actual)
        }

        let swap = header.bigEndian != hostIsBigEndian
        let offset = header.dataOffset
        var scalars: [T]
        if header.kind == .float {
            scalars = bytes.withUnsafeBytes { raw in
                let data = UnsafeRawBufferPointer(rebasing: raw[offset...])
                if header.itemSize == 4 {
                    return converted(load(Float.self, from: data, count: count, swap: swap))
                } else {
                    return converted(load(Double.self, from: data, count: count, swap: swap))
                }
            }
        } else {
            scalars = try wholeNumbers(bytes, header: header, count: count,
                                       limit: exactness ?? T.dtype, as: T.self)
        }
        if header.fortranOrder {
            scalars = fortranToC(scalars, dims: dims)
        }
        return Tensor(shape: shape, scalars: scalars)
    }

    static var hostIsBigEndian: Bool { UInt16(1).bigEndian == 1 }

    /// Copies `count` elements of `S` out of `data` (exactly `count * size` bytes),
    /// reversing each element's bytes when `swap`.
    private static func load<S: TensorScalar>(
        _: S.Type, from data: UnsafeRawBufferPointer, count: Int, swap: Bool
    ) -> [S] {
        let size = MemoryLayout<S>.size
        return [S](unsafeUninitializedCapacity: count) { buffer, initialized in
            let dst = UnsafeMutableRawBufferPointer(buffer)
            if count > 0 {
                dst.copyMemory(from: data)
                if swap { reverseElements(dst, size: size) }
            }
            initialized = count
        }
    }

    private static func reverseElements(_ buffer: UnsafeMutableRawBufferPointer, size: Int) {
        var start = 0
        while start + size <= buffer.count {
            var a = start
            var b = start + size - 1
            while a < b {
                buffer.swapAt(a, b)
                a += 1
                b -= 1
            }
            start += size
        }
    }

    /// `values` as `[T]`: unchanged (bit for bit) when `S` is `T`, else rounded to nearest.
    private static func converted<S: TensorScalar, T: TensorScalar>(_ values: [S]) -> [T] {
        if let same = values as? [T] { return same }
        return values.map { T($0) }
    }

    /// Reorders column-major (Fortran) elements of an array of `dims` into row-major order.
    static func fortranToC<T>(_ values: [T], dims: [Int]) -> [T] {
        let rank = dims.count
        guard rank > 1, !values.isEmpty else { return values }
        var strides = [Int](repeating: 1, count: rank)
        for k in 1..<rank { strides[k] = strides[k - 1] * dims[k - 1] }
        var out = [T]()
        out.reserveCapacity(values.count)
        var index = [Int](repeating: 0, count: rank)
        var offset = 0
        for _ in 0..<values.count {
            out.append(values[offset])
            var k = rank - 1
            while k >= 0 {
                index[k] += 1
                offset += strides[k]
                if index[k] < dims[k] { break }
                offset -= strides[k] * dims[k]
                index[k] = 0
                k -= 1
            }
        }
        return out
    }

    // MARK: Header

    /// The checked contents of a header.
    struct Header: Equatable {
        var major: Int
        var itemSize: Int
        var bigEndian: Bool
        var fortranOrder: Bool
        var dims: [Int]
        /// Floats, signed or unsigned integers, or booleans.
        var kind: ElementKind = .float
        /// The descriptor as written (`<i8`, `|b1`, …).
        var descriptor: String = ""
        /// Where the data starts: preamble plus header length.
        var dataOffset: Int
    }

    /// Reads the preamble and the header dict; checks keys, dtype, order and shape syntax
    /// (not the element count or the data size).
    static func parseHeader(_ bytes: [UInt8], maxHeaderLength: Int) throws(NPYError) -> Header {
        guard !bytes.isEmpty else { throw .emptyFile }
        let magicLength = min(bytes.count, magic.count)
        guard bytes[0..<magicLength].elementsEqual(magic[0..<magicLength]) else {
            throw .notNPYFile
        }
        guard bytes.count >= 8 else { throw .truncatedHeader(expected: 10, actual: bytes.count) }
        let major = Int(bytes[6])
        let minor = Int(bytes[7])
        guard minor == 0, (1...3).contains(major) else {
            throw .unsupportedVersion(major: major, minor: minor)
        }
        let preamble = major == 1 ? 10 : 12
        guard bytes.count >= preamble else {
            throw .truncatedHeader(expected: preamble, actual: bytes.count)
        }
        var headerLength = 0
        for i in (8..<preamble).reversed() {
            headerLength = headerLength << 8 | Int(bytes[i])
        }
        guard headerLength <= maxHeaderLength else {
            throw .headerTooLong(length: headerLength, limit: maxHeaderLength)
        }
        let headerEnd = preamble + headerLength
        guard bytes.count >= headerEnd else {
            throw .truncatedHeader(expected: headerEnd, actual: bytes.count)
        }
        let text = bytes[preamble..<headerEnd]
        let utf8 = major == 3
        if utf8, String(validating: text, as: UTF8.self) == nil {
            throw .malformedHeader(.notUTF8)
        }
        var parser = HeaderParser(bytes: Array(text), utf8: utf8)
        let entries = try parser.parseDict()

        var descr: HeaderValue?
        var fortran: HeaderValue?
        var shape: HeaderValue?
        for (key, value) in entries {
            switch key {
            case "descr":
                guard descr == nil else { throw .duplicateKey(key) }
                descr = value
            case "fortran_order":
                guard fortran == nil else { throw .duplicateKey(key) }
                fortran = value
            case "shape":
                guard shape == nil else { throw .duplicateKey(key) }
                shape = value
            default:
                throw .unexpectedKey(NPYError.sanitizedToken(key))
            }
        }
        guard let descr else { throw .missingKey("descr") }
        guard let fortran else { throw .missingKey("fortran_order") }
        guard let shape else { throw .missingKey("shape") }

        guard case .string(let descriptor) = descr else { throw .unsupportedDType(nil) }
        guard let (kind, itemSize, bigEndian) = ElementKind.parse(descriptor) else {
            throw .unsupportedDType(NPYError.sanitizedToken(descriptor))
        }

        let fortranOrder: Bool
        switch fortran {
        case .bool(let b): fortranOrder = b
        default: throw .invalidFortranOrder
        }

        guard case .tuple(let elements) = shape else { throw .invalidShape(.notATuple) }
        var dims = [Int]()
        dims.reserveCapacity(elements.count)
        var overflowed = false
        for (axis, element) in elements.enumerated() {
            guard case .integer(let value, let negative) = element else {
                throw .invalidShape(.nonIntegerDimension(axis: axis))
            }
            if negative { throw .invalidShape(.negativeDimension(axis: axis)) }
            if let value { dims.append(value) } else { overflowed = true }
        }
        if overflowed { throw .tooManyElements(count: nil, limit: Int.max) }
        return Header(
            major: major, itemSize: itemSize, bigEndian: bigEndian,
            fortranOrder: fortranOrder, dims: dims, kind: kind, descriptor: descriptor, dataOffset: headerEnd)
    }

    /// A Python literal as it may appear in a header.
    enum HeaderValue: Equatable {
        case string(String)
        case bool(Bool)
        case none
        /// An integer; `value` is `nil` when its magnitude does not fit `Int`.
        case integer(Int?, negative: Bool)
        /// A float, complex or otherwise non-plain-decimal number.
        case otherNumber
        case tuple([HeaderValue])
        case list([HeaderValue])
    }

    /// A strict parser for the Python dict literal NumPy writes: string keys, values that
    /// are strings, `True`/`False`/`None`, integers, tuples and lists; whitespace anywhere
    /// between tokens; a trailing comma allowed. Nesting is bounded, so recursion is too.
    struct HeaderParser {
        let bytes: [UInt8]
        let utf8: Bool
        var position = 0
        static let maxDepth = 16

        init(bytes: [UInt8], utf8: Bool) {
            self.bytes = bytes
            self.utf8 = utf8
        }

        private var current: UInt8? { position < bytes.count ? bytes[position] : nil }

        private mutating func skipWhitespace() {
            while let c = current, c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == 0x0C {
                position += 1
            }
        }

        private func unexpected() -> NPYError {
            position < bytes.count
                ? .malformedHeader(.unexpectedCharacter(offset: position))
                : .malformedHeader(.unexpectedEnd)
        }

        private mutating func expect(_ byte: UInt8) throws(NPYError) {
            guard current == byte else { throw unexpected() }
            position += 1
        }

        /// Parses the whole header: one dict, then only whitespace.
        mutating func parseDict() throws(NPYError) -> [(String, HeaderValue)] {
            skipWhitespace()
            guard let first = current else { throw .malformedHeader(.empty) }
            guard first == UInt8(ascii: "{") else {
                _ = try parseValue(depth: 0)
                skipWhitespace()
                if current != nil { throw .malformedHeader(.trailingContent(offset: position)) }
                throw .malformedHeader(.notADictionary)
            }
            position += 1
            var entries: [(String, HeaderValue)] = []
            skipWhitespace()
            if current == UInt8(ascii: "}") {
                position += 1
            } else {
                while true {
                    guard let c = current else { throw .malformedHeader(.unexpectedEnd) }
                    guard c == UInt8(ascii: "'") || c == UInt8(ascii: "\"") else {
                        if Self.startsValue(c) { throw .malformedHeader(.nonStringKey) }
                        throw unexpected()
                    }
                    let key = try parseString()
                    skipWhitespace()
                    try expect(UInt8(ascii: ":"))
                    skipWhitespace()
                    let value = try parseValue(depth: 1)
                    entries.append((key, value))
                    skipWhitespace()
                    if current == UInt8(ascii: ",") {
                        position += 1
                        skipWhitespace()
                        if current == UInt8(ascii: "}") {
                            position += 1
                            break
                        }
                    } else if current == UInt8(ascii: "}") {
                        position += 1
                        break
                    } else {
                        throw unexpected()
                    }
                }
            }
            skipWhitespace()
            if current != nil { throw .malformedHeader(.trailingContent(offset: position)) }
            return entries
        }

        private static func startsValue(_ c: UInt8) -> Bool {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"),
                UInt8(ascii: "("), UInt8(ascii: "["), UInt8(ascii: "T"), UInt8(ascii: "F"),
                UInt8(ascii: "N"):
                return true
            default:
                return false
            }
        }

        private mutating func parseValue(depth: Int) throws(NPYError) -> HeaderValue {
            guard depth <= Self.maxDepth else { throw .malformedHeader(.nestingTooDeep) }
            guard let c = current else { throw .malformedHeader(.unexpectedEnd) }
            switch c {
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                return .string(try parseString())
            case UInt8(ascii: "("):
                position += 1
                let (items, sawComma) = try parseSequence(closing: UInt8(ascii: ")"), depth: depth)
                // `(x)` is a parenthesised expression, not a tuple.
                if items.count == 1 && !sawComma { return items[0] }
                return .tuple(items)
            case UInt8(ascii: "["):
                position += 1
                return .list(try parseSequence(closing: UInt8(ascii: "]"), depth: depth).items)
            case UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                return try parseNumber()
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "_"):
                let start = position
                while let d = current, Self.isIdentifierByte(d) { position += 1 }
                switch bytes[start..<position].elementsEqual("True".utf8) ? 1
                    : bytes[start..<position].elementsEqual("False".utf8) ? 2
                    : bytes[start..<position].elementsEqual("None".utf8) ? 3 : 0
                {
                case 1: return .bool(true)
                case 2: return .bool(false)
                case 3: return .none
                default:
                    // A string prefix (b'', u'') or any other name.
                    if let q = current, q == UInt8(ascii: "'") || q == UInt8(ascii: "\"") {
                        throw .malformedHeader(.unsupportedString(offset: start))
                    }
                    position = start
                    throw unexpected()
                }
            default:
                throw unexpected()
            }
        }

        private static func isIdentifierByte(_ c: UInt8) -> Bool {
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(c) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(c)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) || c == UInt8(ascii: "_")
        }

        /// Elements up to `closing` (already past the opening bracket); a trailing comma is
        /// allowed after at least one element.
        private mutating func parseSequence(closing: UInt8, depth: Int) throws(NPYError) -> (
            items: [HeaderValue], sawComma: Bool
        ) {
            var items: [HeaderValue] = []
            var sawComma = false
            skipWhitespace()
            if current == closing {
                position += 1
                return (items, false)
            }
            while true {
                items.append(try parseValue(depth: depth + 1))
                skipWhitespace()
                if current == UInt8(ascii: ",") {
                    sawComma = true
                    position += 1
                    skipWhitespace()
                    if current == closing {
                        position += 1
                        return (items, sawComma)
                    }
                } else if current == closing {
                    position += 1
                    return (items, sawComma)
                } else {
                    throw unexpected()
                }
            }
        }

        /// A plain string literal: no escapes, no line breaks, no triple quotes.
        private mutating func parseString() throws(NPYError) -> String {
            let start = position
            guard let quote = current else { throw .malformedHeader(.unexpectedEnd) }
            position += 1
            let contentStart = position
            while true {
                guard let c = current else { throw .malformedHeader(.unexpectedEnd) }
                if c == quote { break }
                if c == UInt8(ascii: "\\") || c == 0x0A || c == 0x0D {
                    throw .malformedHeader(.unsupportedString(offset: start))
                }
                position += 1
            }
            let content = bytes[contentStart..<position]
            position += 1
            if content.isEmpty, current == quote {
                // `''' ... '''`: a triple-quoted string.
                throw .malformedHeader(.unsupportedString(offset: start))
            }
            if utf8 {
                return String(decoding: content, as: UTF8.self)
            }
            // Versions 1.0 and 2.0 are latin-1.
            var s = String.UnicodeScalarView()
            for b in content { s.append(Unicode.Scalar(b)) }
            return String(s)
        }

        /// A decimal integer with an optional sign; anything else number-like (floats,
        /// hex, underscores, complex) is `otherNumber`.
        private mutating func parseNumber() throws(NPYError) -> HeaderValue {
            var negative = false
            if current == UInt8(ascii: "-") || current == UInt8(ascii: "+") {
                negative = current == UInt8(ascii: "-")
                position += 1
            }
            guard let first = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else {
                throw unexpected()
            }
            var value: Int? = 0
            var allZero = true
            var digits = 0
            while let c = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) {
                let d = Int(c - UInt8(ascii: "0"))
                if d != 0 { allZero = false }
                if let v = value {
                    let (m, o1) = v.multipliedReportingOverflow(by: 10)
                    let (s, o2) = m.addingReportingOverflow(d)
                    value = (o1 || o2) ? nil : s
                }
                digits += 1
                position += 1
            }
            if let c = current, Self.isIdentifierByte(c) || c == UInt8(ascii: ".") {
                // 1.5, 1e3, 0x10, 1_000, 2j ...
                while let c = current {
                    if Self.isIdentifierByte(c) || c == UInt8(ascii: ".") {
                        position += 1
                    } else if (c == UInt8(ascii: "+") || c == UInt8(ascii: "-")),
                        position > 0, bytes[position - 1] == UInt8(ascii: "e") || bytes[position - 1] == UInt8(ascii: "E")
                    {
                        position += 1
                    } else {
                        break
                    }
                }
                return .otherNumber
            }
            // Python rejects leading zeros such as `03`.
            if digits > 1, first == UInt8(ascii: "0"), !allZero {
                throw .malformedHeader(.unexpectedCharacter(offset: position - digits))
            }
            if allZero { negative = false }
            return .integer(value, negative: negative)
        }
    }

    // MARK: Encoding

    /// The bytes `numpy.save` writes for `tensor`: format 1.0 (2.0 when the header does
    /// not fit 1.0), little-endian descriptor of `T`, C order, header padded with spaces
    /// and a newline to a multiple of 64 bytes.
    public static func encode<T: TensorScalar>(_ tensor: Tensor<T>) -> [UInt8] {
        let dims = tensor.shape.dims
        let shapeText: String
        switch dims.count {
        case 0: shapeText = "()"
        case 1: shapeText = "(\(dims[0]),)"
        default: shapeText = "(" + dims.map(String.init).joined(separator: ", ") + ")"
        }
        var header = Array("{'descr': '\(T.dtype.npyDescriptor)', 'fortran_order': False, 'shape': \(shapeText), }".utf8)
        if let first = dims.first {
            let spare = growthAxisMaxDigits - String(first).utf8.count
            if spare > 0 { header.append(contentsOf: repeatElement(UInt8(ascii: " "), count: spare)) }
        }
        let withNewline = header.count + 1
        var major: UInt8 = 1
        var preamble = 10
        var padding = alignment - (preamble + withNewline) % alignment
        if withNewline + padding > Int(UInt16.max) {
            major = 2
            preamble = 12
            padding = alignment - (preamble + withNewline) % alignment
        }
        let headerLength = withNewline + padding
        let dataBytes = tensor.scalars.count * MemoryLayout<T>.size

        var out = [UInt8]()
        out.reserveCapacity(preamble + headerLength + dataBytes)
        out.append(contentsOf: magic)
        out.append(major)
        out.append(0)
        for i in 0..<(preamble - 8) {
            out.append(UInt8(truncatingIfNeeded: headerLength >> (8 * i)))
        }
        out.append(contentsOf: header)
        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: padding))
        out.append(UInt8(ascii: "\n"))
        let dataStart = out.count
        tensor.scalars.withUnsafeBytes { out.append(contentsOf: $0) }
        if hostIsBigEndian {
            out.withUnsafeMutableBytes { raw in
                reverseElements(
                    UnsafeMutableRawBufferPointer(rebasing: raw[dataStart...]), size: MemoryLayout<T>.size)
            }
        }
        return out
    }
}
