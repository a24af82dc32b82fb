/// The naming rules of SPEC §2. Node names become file names, so they are restricted to
/// a portable set that cannot escape a directory.
enum NameRules {
    /// `[A-Za-z_][A-Za-z0-9_]*`, at most 128 characters.
    static func isValidNodeName(_ name: String) -> Bool {
        isIdentifier(name, extra: [])
    }

    /// A name made by block expansion (SPEC §11.1): `/`-joined segments, each a node name
    /// or `[0-9]+`, at most 128 characters in all. No segment is empty, `.` or `..`, so
    /// the name stays inside the folder it is saved in.
    static func isValidExpandedNodeName(_ name: String) -> Bool {
        guard name.utf8.count <= 128, !name.isEmpty else { return false }
        return name.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { segment in
            isValidNodeName(String(segment)) || (!segment.isEmpty && segment.utf8.allSatisfy { $0 >= 48 && $0 <= 57 })
        }
    }

    /// `[A-Za-z_][A-Za-z0-9_-]*`, at most 128 characters.
    static func isValidGraphName(_ name: String) -> Bool {
        isIdentifier(name, extra: [UInt8(ascii: "-")])
    }

    private static func isIdentifier(_ name: String, extra: Set<UInt8>) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, bytes.count <= 128 else { return false }
        func letter(_ b: UInt8) -> Bool { (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == 95 }
        func digit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }
        guard letter(first) else { return false }
        return bytes.dropFirst().allSatisfy { letter($0) || digit($0) || extra.contains($0) }
    }

    /// A name as safe to print: control characters escaped, long names cut.
    static func printable(_ text: String) -> String {
        var out = ""
        for s in text.unicodeScalars.prefix(64) {
            out += s.value < 32 || s.value == 127 ? "\\u{\(String(s.value, radix: 16))}" : String(s)
        }
        return text.unicodeScalars.count > 64 ? out + "…" : out
    }
}
