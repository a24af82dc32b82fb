/// Text made safe for the HTML report, which is also well-formed XML (so a test, or any XML
/// tool, can read it): `&`, `<`, `>`, `"` and `'` become character references, and every
/// character XML 1.0 forbids (controls other than tab, line feed and carriage return, lone
/// surrogates cannot occur in a Swift `String`, U+FFFE and U+FFFF) becomes U+FFFD.
/// The result is safe both as element text and inside a double- or single-quoted attribute.
enum HTMLText {
    /// `text` escaped for element content and attribute values.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0xFFFE || scalar.value == 0xFFFF {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// A number for an SVG coordinate: one decimal, no exponent, no locale.
    static func coordinate(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let tenths = (value * 10).rounded()
        let whole = Int(tenths / 10), fraction = Int(abs(tenths).truncatingRemainder(dividingBy: 10))
        let sign = tenths < 0 && whole == 0 ? "-" : ""
        return fraction == 0 ? "\(sign)\(whole)" : "\(sign)\(whole).\(fraction)"
    }
}
