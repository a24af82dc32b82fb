/// A strict, bounded JSON reader (RFC 8259) for file headers that come from outside, such as
/// a `.safetensors` header (SPEC §8: never a crash, nothing unbounded, whatever the input).
///
/// - The whole text must be valid UTF-8 and hold exactly one value, with only JSON
///   whitespace (space, tab, line feed, carriage return) around it.
/// - Strings: every escape of RFC 8259, surrogate pairs joined; a raw control character, an
///   unknown escape or a lone surrogate is an error.
/// - Numbers: RFC 8259's grammar (no `+`, no leading zeros, no `.5`, no `NaN`). An integer
///   literal (no fraction, no exponent) that fits `Int` is `.int`; any other number is
///   `.double` (an integer literal too large for `Int` becomes a `.double` too, which callers
///   wanting integers refuse).
/// - Objects keep their members in file order, duplicates included: the caller decides what
///   a repeated key means.
/// - Arrays and objects nest at most `maxDepth` deep, so the recursion is bounded by that,
///   not by the input; memory is a constant times the input's length.
public enum JSONParser {
    /// Parses `bytes` as one JSON value.
    /// - Parameters:
    ///   - bytes: the text, UTF-8.
    ///   - maxDepth: the deepest nesting of arrays and objects accepted (a bare scalar is
    ///     depth 0, `[1]` depth 1).
    /// - Throws: `JSONParseError` for anything that is not exactly one JSON value.
    public static func parse(_ bytes: some Collection<UInt8>, maxDepth: Int = 64) throws(JSONParseError) -> JSONValue {
        let text = Array(bytes)
        guard String(validating: text, as: UTF8.self) != nil else { throw .notUTF8 }
        var reader = Reader(bytes: text, maxDepth: maxDepth)
        reader.skipWhitespace()
        guard reader.current != nil else { throw .empty }
        let value = try reader.value(depth: 0)
        reader.skipWhitespace()
        if reader.current != nil { throw .trailingContent(offset: reader.position) }
        return value
    }

    private struct Reader {
        let bytes: [UInt8]
        let maxDepth: Int
        var position = 0

        init(bytes: [UInt8], maxDepth: Int) {
            self.bytes = bytes
            self.maxDepth = maxDepth
        }

        var current: UInt8? { position < bytes.count ? bytes[position] : nil }

        mutating func skipWhitespace() {
            while let c = current, c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D { position += 1 }
        }

        func unexpected() -> JSONParseError {
            position < bytes.count ? .unexpectedCharacter(offset: position) : .unexpectedEnd
        }

        mutating func literal(_ word: String, _ value: JSONValue) throws(JSONParseError) -> JSONValue {
            for byte in word.utf8 {
                guard current == byte else { throw unexpected() }
                position += 1
            }
            return value
        }

        mutating func value(depth: Int) throws(JSONParseError) -> JSONValue {
            guard let c = current else { throw .unexpectedEnd }
            switch c {
            case UInt8(ascii: "{"):
                guard depth < maxDepth else { throw .nestingTooDeep(limit: maxDepth) }
                return try object(depth: depth + 1)
            case UInt8(ascii: "["):
                guard depth < maxDepth else { throw .nestingTooDeep(limit: maxDepth) }
                return try array(depth: depth + 1)
            case UInt8(ascii: "\""):
                return .string(try string())
            case UInt8(ascii: "t"): return try literal("true", .bool(true))
            case UInt8(ascii: "f"): return try literal("false", .bool(false))
            case UInt8(ascii: "n"): return try literal("null", .null)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                return try number()
            default:
                throw unexpected()
            }
        }

        mutating func object(depth: Int) throws(JSONParseError) -> JSONValue {
            position += 1  // {
            var members: [(String, JSONValue)] = []
            skipWhitespace()
            if current == UInt8(ascii: "}") {
                position += 1
                return .object(members)
            }
            while true {
                skipWhitespace()
                guard current == UInt8(ascii: "\"") else { throw unexpected() }
                let key = try string()
                skipWhitespace()
                guard current == UInt8(ascii: ":") else { throw unexpected() }
                position += 1
                skipWhitespace()
                members.append((key, try value(depth: depth)))
                skipWhitespace()
                switch current {
                case UInt8(ascii: ","): position += 1
                case UInt8(ascii: "}"):
                    position += 1
                    return .object(members)
                default: throw unexpected()
                }
            }
        }

        mutating func array(depth: Int) throws(JSONParseError) -> JSONValue {
            position += 1  // [
            var items: [JSONValue] = []
            skipWhitespace()
            if current == UInt8(ascii: "]") {
                position += 1
                return .array(items)
            }
            while true {
                skipWhitespace()
                items.append(try value(depth: depth))
                skipWhitespace()
                switch current {
                case UInt8(ascii: ","): position += 1
                case UInt8(ascii: "]"):
                    position += 1
                    return .array(items)
                default: throw unexpected()
                }
            }
        }

        /// Four hex digits at the current position, as a number.
        mutating func hex4() throws(JSONParseError) -> UInt32 {
            var value: UInt32 = 0
            for _ in 0..<4 {
                guard let c = current else { throw .unexpectedEnd }
                let digit: UInt32
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(c - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(c - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(c - UInt8(ascii: "A") + 10)
                default: throw .invalidString(offset: position)
                }
                value = value << 4 | digit
                position += 1
            }
            return value
        }

        mutating func string() throws(JSONParseError) -> String {
            position += 1  // "
            var scalars = String.UnicodeScalarView()
            var runStart = position
            func flush(_ end: Int) {
                // The input is valid UTF-8 and a run never splits a sequence (it stops only
                // at ASCII bytes), so decoding a run is exact.
                if end > runStart { scalars.append(contentsOf: String(decoding: bytes[runStart..<end], as: UTF8.self).unicodeScalars) }
            }
            while true {
                guard let c = current else { throw .unexpectedEnd }
                if c == UInt8(ascii: "\"") {
                    flush(position)
                    position += 1
                    return String(scalars)
                }
                if c < 0x20 { throw .invalidString(offset: position) }
                if c != UInt8(ascii: "\\") {
                    position += 1
                    continue
                }
                flush(position)
                let escape = position
                position += 1
                guard let e = current else { throw .unexpectedEnd }
                position += 1
                switch e {
                case UInt8(ascii: "\""): scalars.append("\"")
                case UInt8(ascii: "\\"): scalars.append("\\")
                case UInt8(ascii: "/"): scalars.append("/")
                case UInt8(ascii: "b"): scalars.append("\u{08}")
                case UInt8(ascii: "f"): scalars.append("\u{0C}")
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "u"):
                    var code = try hex4()
                    if (0xD800...0xDBFF).contains(code) {
                        // A high surrogate must be followed by an escaped low one.
                        guard current == UInt8(ascii: "\\"), position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "u") else {
                            throw .invalidString(offset: escape)
                        }
                        position += 2
                        let low = try hex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw .invalidString(offset: escape) }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let scalar = Unicode.Scalar(code) else { throw .invalidString(offset: escape) }
                    scalars.append(scalar)
                default:
                    throw .invalidString(offset: escape)
                }
                runStart = position
            }
        }

        mutating func number() throws(JSONParseError) -> JSONValue {
            let start = position
            func digits() -> Int {
                var n = 0
                while let c = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) {
                    position += 1
                    n += 1
                }
                return n
            }
            if current == UInt8(ascii: "-") { position += 1 }
            guard let first = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else {
                throw .invalidNumber(offset: start)
            }
            let intDigits = digits()
            if first == UInt8(ascii: "0"), intDigits > 1 { throw .invalidNumber(offset: start) }
            var integral = true
            if current == UInt8(ascii: ".") {
                integral = false
                position += 1
                guard digits() > 0 else { throw .invalidNumber(offset: start) }
            }
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                integral = false
                position += 1
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
                guard digits() > 0 else { throw .invalidNumber(offset: start) }
            }
            let text = String(decoding: bytes[start..<position], as: UTF8.self)
            if integral, let int = Int(text) { return .int(int) }
            // Swift's parser takes every string of this grammar; a huge exponent is ±inf or 0.
            guard let double = Double(text) else { throw .invalidNumber(offset: start) }
            return .double(double)
        }
    }
}

/// Why a text is not one JSON value (`JSONParser`). Offsets are byte offsets in the text;
/// no text of the input is ever shown.
public enum JSONParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Nothing but whitespace.
    case empty
    /// The text is not valid UTF-8.
    case notUTF8
    /// A byte that does not fit the grammar here.
    case unexpectedCharacter(offset: Int)
    /// The text ends inside a value.
    case unexpectedEnd
    /// A string with a raw control character, an unknown escape or a lone surrogate.
    case invalidString(offset: Int)
    /// A number outside RFC 8259's grammar (a leading zero, a bare `.`, a missing exponent).
    case invalidNumber(offset: Int)
    /// Arrays and objects nested deeper than `limit`.
    case nestingTooDeep(limit: Int)
    /// Something other than whitespace after the value.
    case trailingContent(offset: Int)

    public var description: String {
        switch self {
        case .empty: "the json text is empty"
        case .notUTF8: "the json text is not valid utf-8"
        case .unexpectedCharacter(let offset): "unexpected character at json offset \(offset)"
        case .unexpectedEnd: "the json text ends inside a value"
        case .invalidString(let offset): "invalid string escape or control character at json offset \(offset)"
        case .invalidNumber(let offset): "invalid number at json offset \(offset)"
        case .nestingTooDeep(let limit): "the json text nests deeper than \(limit) levels"
        case .trailingContent(let offset): "unexpected content after the json value at offset \(offset)"
        }
    }
}
