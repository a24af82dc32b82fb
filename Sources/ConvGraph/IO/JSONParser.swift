/// A strict, bounded JSON reader (RFC 8259) producing ``JSONValue``.
///
/// Strict: exactly one value, surrounded only by JSON whitespace; no comments, no trailing
/// commas, no leading zeros, no `NaN`/`Infinity`, no raw control characters in strings, no
/// unpaired surrogate escapes, no duplicate keys in one object, valid UTF-8 only.
/// Bounded: the input length and the nesting depth are checked against ``JSONParser/Limits`` before
/// anything deeper is read, so hostile input costs at most O(`maxBytes`) time and memory.
///
/// Numbers: an integer literal (no fraction, no exponent) that fits `Int` becomes
/// ``JSONValue/int(_:)``; every other number becomes ``JSONValue/double(_:)``, rounded
/// correctly to the nearest `Double` (so the shortest representation ``JSONValue`` writes reads
/// back to the same bits). A number whose magnitude overflows `Double` is an error.
public enum JSONParser {
    /// How much input `parse` accepts.
    public struct Limits: Sendable, Hashable {
        /// Longest input, in bytes. Default 16 MiB.
        public var maxBytes: Int
        /// Deepest nesting of arrays and objects (a scalar at the top is depth 0). Default 128.
        public var maxDepth: Int

        public init(maxBytes: Int = 16 << 20, maxDepth: Int = 128) {
            self.maxBytes = maxBytes
            self.maxDepth = maxDepth
        }

        public static let `default` = Limits()
    }

    /// Parses one JSON text from UTF-8 bytes.
    /// - Throws: ``JSONParseError`` with the byte offset of the first problem.
    public static func parse(
        _ bytes: some Collection<UInt8>, limits: Limits = .default
    ) throws(JSONParseError) -> JSONValue {
        guard bytes.count <= limits.maxBytes else {
            throw JSONParseError(.tooLong(limit: limits.maxBytes), offset: 0)
        }
        var reader = Reader(bytes: Array(bytes), maxDepth: limits.maxDepth)
        return try reader.document()
    }

    /// Parses one JSON text from a string (its UTF-8 form).
    /// - Throws: ``JSONParseError`` with the byte offset of the first problem.
    public static func parse(_ text: String, limits: Limits = .default) throws(JSONParseError) -> JSONValue {
        try parse(text.utf8, limits: limits)
    }
}

/// Why a byte string is not one JSON value ``JSONParser`` accepts.
///
/// The description gives the problem and the byte offset; it never echoes input text.
public struct JSONParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong.
    public enum Problem: Sendable, Hashable {
        /// The input is longer than ``JSONParser/Limits/maxBytes``.
        case tooLong(limit: Int)
        /// Arrays and objects nest deeper than ``JSONParser/Limits/maxDepth``.
        case nestingTooDeep(limit: Int)
        /// The input ends inside a value (or holds no value at all).
        case unexpectedEnd
        /// A byte that does not fit the grammar here.
        case unexpectedCharacter
        /// A number literal that is malformed (e.g. `01`, `1.`, `-`, `1e`).
        case invalidNumber
        /// A number whose magnitude is too large for a `Double`.
        case numberOutOfRange
        /// A bad escape sequence (unknown letter, short `\u`, unpaired surrogate).
        case invalidEscape
        /// A raw control character (below U+0020) inside a string.
        case controlCharacterInString
        /// A string whose bytes are not valid UTF-8.
        case invalidUTF8
        /// The same key twice in one object.
        case duplicateKey
        /// Something other than whitespace after the value.
        case trailingContent
    }

    /// What is wrong.
    public var problem: Problem
    /// The byte offset in the input where it was found.
    public var offset: Int

    public init(_ problem: Problem, offset: Int) {
        self.problem = problem
        self.offset = offset
    }

    public var description: String {
        let what: String
        switch problem {
        case .tooLong(let limit): what = "the JSON text is longer than \(limit) bytes"
        case .nestingTooDeep(let limit): what = "arrays and objects nest deeper than \(limit)"
        case .unexpectedEnd: what = "the JSON text ends inside a value"
        case .unexpectedCharacter: what = "unexpected character"
        case .invalidNumber: what = "malformed number"
        case .numberOutOfRange: what = "number out of the range of a double"
        case .invalidEscape: what = "invalid escape sequence in a string"
        case .controlCharacterInString: what = "raw control character in a string"
        case .invalidUTF8: what = "a string is not valid UTF-8"
        case .duplicateKey: what = "duplicate key in an object"
        case .trailingContent: what = "content after the JSON value"
        }
        return "\(what) (at byte \(offset))"
    }
}

extension JSONParser {
    /// A recursive-descent reader over the bytes; recursion depth is bounded by `maxDepth`.
    fileprivate struct Reader {
        let bytes: [UInt8]
        let maxDepth: Int
        var index = 0

        init(bytes: [UInt8], maxDepth: Int) {
            self.bytes = bytes
            self.maxDepth = maxDepth
        }

        mutating func document() throws(JSONParseError) -> JSONValue {
            skipWhitespace()
            let value = try value(depth: 0)
            skipWhitespace()
            guard index == bytes.count else { throw fail(.trailingContent) }
            return value
        }

        private func fail(_ problem: JSONParseError.Problem, at offset: Int? = nil) -> JSONParseError {
            JSONParseError(problem, offset: offset ?? index)
        }

        private mutating func skipWhitespace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0A, 0x0D: index += 1
                default: return
                }
            }
        }

        private func peek() throws(JSONParseError) -> UInt8 {
            guard index < bytes.count else { throw fail(.unexpectedEnd) }
            return bytes[index]
        }

        private mutating func expect(_ byte: UInt8) throws(JSONParseError) {
            guard try peek() == byte else { throw fail(.unexpectedCharacter) }
            index += 1
        }

        private mutating func value(depth: Int) throws(JSONParseError) -> JSONValue {
            switch try peek() {
            case UInt8(ascii: "{"): return try object(depth: depth + 1)
            case UInt8(ascii: "["): return try array(depth: depth + 1)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
            default: throw fail(.unexpectedCharacter)
            }
        }

        private mutating func literal(_ word: StaticString) throws(JSONParseError) {
            let start = word.utf8Start
            for k in 0..<word.utf8CodeUnitCount {
                guard index < bytes.count else { throw fail(.unexpectedEnd) }
                guard bytes[index] == start[k] else { throw fail(.unexpectedCharacter) }
                index += 1
            }
        }

        private mutating func object(depth: Int) throws(JSONParseError) -> JSONValue {
            guard depth <= maxDepth else { throw fail(.nestingTooDeep(limit: maxDepth)) }
            index += 1  // "{"
            var pairs: [(String, JSONValue)] = []
            var seen = Set<String>()
            skipWhitespace()
            if try peek() == UInt8(ascii: "}") { index += 1; return .object(pairs) }
            while true {
                skipWhitespace()
                let keyOffset = index
                guard try peek() == UInt8(ascii: "\"") else { throw fail(.unexpectedCharacter) }
                let key = try string()
                guard seen.insert(key).inserted else { throw fail(.duplicateKey, at: keyOffset) }
                skipWhitespace()
                try expect(UInt8(ascii: ":"))
                skipWhitespace()
                pairs.append((key, try value(depth: depth)))
                skipWhitespace()
                switch try peek() {
                case UInt8(ascii: ","): index += 1
                case UInt8(ascii: "}"): index += 1; return .object(pairs)
                default: throw fail(.unexpectedCharacter)
                }
            }
        }

        private mutating func array(depth: Int) throws(JSONParseError) -> JSONValue {
            guard depth <= maxDepth else { throw fail(.nestingTooDeep(limit: maxDepth)) }
            index += 1  // "["
            var items: [JSONValue] = []
            skipWhitespace()
            if try peek() == UInt8(ascii: "]") { index += 1; return .array(items) }
            while true {
                skipWhitespace()
                items.append(try value(depth: depth))
                skipWhitespace()
                switch try peek() {
                case UInt8(ascii: ","): index += 1
                case UInt8(ascii: "]"): index += 1; return .array(items)
                default: throw fail(.unexpectedCharacter)
                }
            }
        }

        /// A string literal starting at the opening quote; escapes decoded, UTF-8 validated.
        private mutating func string() throws(JSONParseError) -> String {
            let start = index
            index += 1  // opening quote
            var utf8: [UInt8] = []
            while true {
                guard index < bytes.count else { throw fail(.unexpectedEnd) }
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: "\""):
                    index += 1
                    guard let text = String(validating: utf8, as: UTF8.self) else {
                        throw fail(.invalidUTF8, at: start)
                    }
                    return text
                case UInt8(ascii: "\\"):
                    index += 1
                    try escape(into: &utf8)
                case 0..<0x20:
                    throw fail(.controlCharacterInString)
                default:
                    utf8.append(byte)
                    index += 1
                }
            }
        }

        /// The escape after a backslash, appended as UTF-8.
        private mutating func escape(into utf8: inout [UInt8]) throws(JSONParseError) {
            let at = index - 1
            guard index < bytes.count else { throw fail(.unexpectedEnd) }
            let letter = bytes[index]
            index += 1
            switch letter {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(letter)
            case UInt8(ascii: "b"): utf8.append(0x08)
            case UInt8(ascii: "f"): utf8.append(0x0C)
            case UInt8(ascii: "n"): utf8.append(0x0A)
            case UInt8(ascii: "r"): utf8.append(0x0D)
            case UInt8(ascii: "t"): utf8.append(0x09)
            case UInt8(ascii: "u"):
                var code = try hex4(escapeAt: at)
                if (0xD800..<0xDC00).contains(code) {
                    // A high surrogate must be followed by `\u` and a low surrogate.
                    guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
                        bytes[index + 1] == UInt8(ascii: "u")
                    else { throw fail(.invalidEscape, at: at) }
                    index += 2
                    let low = try hex4(escapeAt: at)
                    guard (0xDC00..<0xE000).contains(low) else { throw fail(.invalidEscape, at: at) }
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00..<0xE000).contains(code) {
                    throw fail(.invalidEscape, at: at)
                }
                guard let scalar = Unicode.Scalar(code) else { throw fail(.invalidEscape, at: at) }
                utf8.append(contentsOf: String(scalar).utf8)
            default:
                throw fail(.invalidEscape, at: at)
            }
        }

        private mutating func hex4(escapeAt at: Int) throws(JSONParseError) -> UInt32 {
            guard index + 4 <= bytes.count else { throw fail(.invalidEscape, at: at) }
            var code: UInt32 = 0
            for _ in 0..<4 {
                let b = bytes[index]
                let digit: UInt8
                switch b {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = b - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = b - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = b - UInt8(ascii: "A") + 10
                default: throw fail(.invalidEscape, at: at)
                }
                code = code << 4 | UInt32(digit)
                index += 1
            }
            return code
        }

        /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
        private mutating func number() throws(JSONParseError) -> JSONValue {
            let start = index
            var integral = true
            if bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count else { throw fail(.invalidNumber, at: start) }
            if bytes[index] == UInt8(ascii: "0") {
                index += 1
            } else if isDigit(bytes[index]) {
                skipDigits()
            } else {
                throw fail(.invalidNumber, at: start)
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                integral = false
                index += 1
                guard index < bytes.count, isDigit(bytes[index]) else { throw fail(.invalidNumber, at: start) }
                skipDigits()
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
                integral = false
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                    index += 1
                }
                guard index < bytes.count, isDigit(bytes[index]) else { throw fail(.invalidNumber, at: start) }
                skipDigits()
            }
            // The literal is ASCII, checked above; `Double(_:)` rounds correctly (strtod).
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            if integral, let int = Int(text) { return .int(int) }
            guard let double = Double(text), double.isFinite else { throw fail(.numberOutOfRange, at: start) }
            return .double(double)
        }

        private func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

        private mutating func skipDigits() {
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
    }
}
