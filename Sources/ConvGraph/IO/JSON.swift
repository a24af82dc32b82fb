/// A JSON value and its serialisation (keys in insertion order, so output is stable).
public indirect enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool { a.serialized() == b.serialized() }
    public func hash(into hasher: inout Hasher) { hasher.combine(serialized()) }

    /// Compact or indented (2 spaces) text. Non-finite doubles become strings ("nan", "inf").
    public func serialized(indent: Int? = 2) -> String {
        var out = ""
        write(&out, indent: indent, level: 0)
        return out
    }

    private func write(_ out: inout String, indent: Int?, level: Int) {
        let newline = indent == nil ? "" : "\n"
        let pad = { (l: Int) in String(repeating: " ", count: (indent ?? 0) * l) }
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d):
            if d.isNaN { out += "\"nan\"" } else if d.isInfinite { out += d > 0 ? "\"inf\"" : "\"-inf\"" } else { out += "\(d)" }
        case .string(let s): JSONValue.writeString(s, to: &out)
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "[" + newline
            for (k, item) in items.enumerated() {
                out += pad(level + 1)
                item.write(&out, indent: indent, level: level + 1)
                out += (k + 1 < items.count ? "," : "") + newline
            }
            out += pad(level) + "]"
        case .object(let pairs):
            if pairs.isEmpty { out += "{}"; return }
            out += "{" + newline
            for (k, (key, value)) in pairs.enumerated() {
                out += pad(level + 1)
                JSONValue.writeString(key, to: &out)
                out += indent == nil ? ":" : ": "
                value.write(&out, indent: indent, level: level + 1)
                out += (k + 1 < pairs.count ? "," : "") + newline
            }
            out += pad(level) + "}"
        }
    }

    private static func writeString(_ s: String, to out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}

extension YAMLNode {
    /// The tree as JSON with core-schema scalars resolved (for the manifest's `config`).
    /// Depth is bounded by `Limits.maxYAMLDepth`.
    public var json: JSONValue {
        switch content {
        case .mapping(let pairs): return .object(pairs.map { ($0.key, $0.value.json) })
        case .sequence(let items): return .array(items.map(\.json))
        case .scalar:
            switch resolved {
            case .null: return .null
            case .bool(let b): return .bool(b)
            case .int(let i): return .int(i)
            case .float(let f): return .double(f)
            case .string(let s): return .string(s)
            }
        }
    }
}
