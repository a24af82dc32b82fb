/// Numbers and text for `curves.svg`: exact, locale-free, XML-safe.
extension TrainingCurves.Plot {
    /// A coordinate with one decimal ("12.5", "-3", "400"), clamped to ±1e6: exact
    /// integer arithmetic, so no locale and no "-0".
    static func f(_ value: Double) -> String {
        let tenths = Int((min(max(value.isNaN ? 0 : value, -1e6), 1e6) * 10).rounded())
        let sign = tenths < 0 ? "-" : ""
        let whole = tenths.magnitude / 10, fraction = tenths.magnitude % 10
        return sign + String(whole) + (fraction == 0 ? "" : "." + String(fraction))
    }

    /// At most `limit` characters, the last an ellipsis when cut.
    static func shortened(_ text: String, to limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }

    /// Text for XML content or attributes: `& < > " '` escaped, characters XML 1.0
    /// forbids (controls other than tab/newline/return, U+FFFE, U+FFFF) → U+FFFD.
    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out += " "
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF || (0x7F...0x9F).contains(scalar.value) {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
