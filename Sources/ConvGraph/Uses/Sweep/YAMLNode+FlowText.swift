extension YAMLNode {
    /// The node as one line of flow YAML that parses back to the same node: plain scalars
    /// as written, other scalars double-quoted, explicit core tags kept (`!!str 2`),
    /// sequences as `[a, b]` and mappings as `{k: v}`. A `--grid` element becomes the text
    /// of its `--set` override this way. Nesting is bounded by the YAML depth limit the
    /// node was parsed with.
    var flowText: String {
        switch content {
        case .scalar(let text, let plain, let tag):
            let body = plain && !text.isEmpty ? text : Self.doubleQuoted(text)
            return tag.map { "!!\($0.rawValue) \(body)" } ?? body
        case .sequence(let items):
            return "[" + items.map(\.flowText).joined(separator: ", ") + "]"
        case .mapping(let pairs):
            return "{" + pairs.map { Self.flowKey($0.key) + ": " + $0.value.flowText }.joined(separator: ", ") + "}"
        }
    }

    /// A mapping key: plain when it is a simple name, else double-quoted.
    private static func flowKey(_ key: String) -> String {
        let simple = !key.isEmpty && key.unicodeScalars.allSatisfy { s in
            ("a"..."z").contains(s) || ("A"..."Z").contains(s) || ("0"..."9").contains(s) || s == "_" || s == "-" || s == "."
        } && key.first != "-" && key.first != "."
        return simple ? key : doubleQuoted(key)
    }

    /// `"text"` with YAML's double-quoted escapes for `\`, `"` and control characters.
    private static func doubleQuoted(_ text: String) -> String {
        var out = "\""
        for s in text.unicodeScalars {
            switch s {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if s.value < 0x20 || s.value == 0x7f || (0x80..<0xa0).contains(s.value) || s.value == 0x85 || s.value == 0x2028 || s.value == 0x2029 || s.value == 0xfeff {
                    let hex = String(s.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
                } else {
                    out.unicodeScalars.append(s)
                }
            }
        }
        return out + "\""
    }
}
