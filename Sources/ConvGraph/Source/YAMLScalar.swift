/// The value of a scalar resolved by the YAML 1.2 core schema (SPEC §2): `null`/`~`/empty,
/// `true`/`false`, decimal, `0x` and `0o` integers, floats (`1.5`, `1e-3`, `.inf`, `.nan`);
/// everything else — `yes`, `no`, `on`, `off` included — and every quoted scalar is a string.
public enum YAMLScalar: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
}

extension YAMLNode {
    /// The resolved value of a scalar node; `.string` of a description for collections.
    public var resolved: YAMLScalar {
        guard case .scalar(let text, let plain, let tag) = content else { return .string("") }
        switch tag {
        case .str: return .string(text)
        case .null: return .null
        case .bool: return YAMLScalar.resolveCore(text).flatMap { if case .bool = $0 { $0 } else { nil } } ?? .string(text)
        case .int: return YAMLScalar.resolveCore(text).flatMap { if case .int = $0 { $0 } else { nil } } ?? .string(text)
        case .float:
            switch YAMLScalar.resolveCore(text) {
            case .int(let i): return .float(Double(i))
            case .float(let f): return .float(f)
            default: return .string(text)
            }
        case .seq, .map, nil:
            return plain ? (YAMLScalar.resolveCore(text) ?? .string(text)) : .string(text)
        }
    }
}

extension YAMLScalar {
    /// Resolves plain text by the core schema; `nil` means "a string".
    static func resolveCore(_ text: String) -> YAMLScalar? {
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .float(.infinity)
        case "-.inf", "-.Inf", "-.INF": return .float(-.infinity)
        case ".nan", ".NaN", ".NAN": return .float(.nan)
        default: break
        }
        let scalars = Array(text.utf8)
        if let i = parseInteger(scalars) { return i }
        if isCoreFloat(scalars), let value = Double(text) { return .float(value) }
        return nil
    }

    /// `[-+]?[0-9]+`, `0o[0-7]+`, `0x[0-9a-fA-F]+`. An integer too large for `Int` is a float
    /// when decimal, and a string otherwise.
    private static func parseInteger(_ s: [UInt8]) -> YAMLScalar? {
        func digits(_ body: ArraySlice<UInt8>, radix: Int) -> Int? {
            guard !body.isEmpty, let text = Optional(String(decoding: body, as: UTF8.self)) else { return nil }
            return Int(text, radix: radix)
        }
        if s.count > 2, s[0] == UInt8(ascii: "0") {
            if s[1] == UInt8(ascii: "x") {
                return digits(s[2...], radix: 16).map { .int($0) }
            }
            if s[1] == UInt8(ascii: "o") {
                return digits(s[2...], radix: 8).map { .int($0) }
            }
        }
        var body = s[...]
        if let first = body.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            body = body.dropFirst()
        }
        guard !body.isEmpty, body.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        let text = String(decoding: s, as: UTF8.self)
        if let i = Int(text) { return .int(i) }
        return Double(text).map { .float($0) }
    }

    /// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`
    private static func isCoreFloat(_ s: [UInt8]) -> Bool {
        var i = 0
        func isDigit(_ i: Int) -> Bool { i < s.count && s[i] >= 48 && s[i] <= 57 }
        if i < s.count, s[i] == UInt8(ascii: "-") || s[i] == UInt8(ascii: "+") { i += 1 }
        var mantissaDigits = 0
        while isDigit(i) { i += 1; mantissaDigits += 1 }
        if i < s.count, s[i] == UInt8(ascii: ".") {
            i += 1
            while isDigit(i) { i += 1; mantissaDigits += 1 }
        }
        guard mantissaDigits > 0 else { return false }
        if i < s.count, s[i] == UInt8(ascii: "e") || s[i] == UInt8(ascii: "E") {
            i += 1
            if i < s.count, s[i] == UInt8(ascii: "-") || s[i] == UInt8(ascii: "+") { i += 1 }
            guard isDigit(i) else { return false }
            while isDigit(i) { i += 1 }
        }
        return i == s.count
    }
}
