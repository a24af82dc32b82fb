/// Explains the libyaml errors behind the YAML mistakes people make, by looking at the
/// source text around libyaml's marks: a tab in indentation, a key indented wrongly (or in
/// the column of a list), an unclosed `{` or `[` (reported where it was opened), an
/// unquoted value holding ': '. Each explanation is reported at the mistake, with a note
/// that says what to do; any other error keeps libyaml's words. (`{op:relu}` parses, as one
/// key `op:relu`, and is explained by `GraphFileDecoder`.)
///
/// - Complexity: O(size of the file) per explanation (one error per file is explained).
enum YAMLMistakes {
    /// libyaml's error as it was handed over: problem, context and their 1-based marks.
    struct LibYAMLProblem {
        var problem: String
        var context: String?
        var line: Int
        var column: Int
        var contextLine: Int
        var contextColumn: Int
        /// The innermost flow collection open when libyaml stopped (`{` or `[`), if any.
        var openFlow: (location: SourceLocation, isMapping: Bool)?
    }

    /// A better diagnostic for `e`, or `nil` to keep libyaml's message.
    static func explain(_ e: LibYAMLProblem, in bytes: UnsafeBufferPointer<UInt8>, file: String) -> Diagnostic? {
        // Byte-level reading assumes UTF-8; UTF-16 files (with a BOM) keep libyaml's words.
        if bytes.count >= 2, (bytes[0] == 0xFE && bytes[1] == 0xFF) || (bytes[0] == 0xFF && bytes[1] == 0xFE) { return nil }
        let text = SourceText(bytes)
        let at = SourceLocation(file: file, line: e.line, column: e.column)
        if e.problem == "found character that cannot start any token" || e.problem.contains("tab character"), let line = text.line(e.line),
           e.column - 1 < line.count, line[e.column - 1] == "\t" {
            if line[..<(e.column - 1)].allSatisfy({ $0 == " " || $0 == "\t" }) {
                return Diagnostic("a tab in the indentation", at: at,
                                  notes: [.init("YAML does not allow tabs for indentation; use spaces")])
            }
            return Diagnostic("a tab where YAML expects a value or a key", at: at,
                              notes: [.init("YAML allows tabs only inside values; use spaces")])
        }
        if e.problem == "did not find expected key", e.context == "while parsing a block mapping",
           let line = text.line(e.line), e.column != e.contextColumn,
           line.prefix(e.column - 1).allSatisfy({ $0 == " " }) {
            // `op: input` / `  shape: [1]` / `    init: zeros`: the line above is the one out
            // of step (YAML took it as a key of the outer mapping); libyaml stops only at
            // the line after it.
            if let above = text.previousContentLine(before: e.line), above.indent == e.contextColumn - 1,
               let twoAbove = text.previousContentLine(before: above.line), twoAbove.indent == e.column - 1,
               let aboveText = text.line(above.line), let name = key(in: aboveText, from: above.indent) {
                return Diagnostic("'\(name)' is indented wrongly: it starts in column \(above.indent + 1), but the keys above and below it start in column \(e.column)",
                                  at: SourceLocation(file: file, line: above.line, column: above.indent + 1),
                                  notes: [.init("YAML read it as a key of the mapping on line \(e.contextLine); indent it like the keys on lines \(twoAbove.line) and \(e.line)")])
            }
            let isItem = e.column - 1 < line.count && line[e.column - 1] == "-"
            let what = key(in: line, from: e.column - 1).map { "'\($0)'" } ?? (isItem ? "this list item" : "this line")
            return Diagnostic("\(what) is indented wrongly: it starts in column \(e.column), but the keys of the mapping on line \(e.contextLine) start in column \(e.contextColumn)",
                              at: at,
                              notes: [.init("the keys of one mapping start in the same column; indent with spaces to match the key it belongs with")])
        }
        if e.problem == "mapping values are not allowed in this context", e.line > 1, let line = text.line(e.line) {
            // `  from: loss` then `    wrt: [a]`: a key indented more than the key above it
            // continues that key's value; libyaml stops at the second ':'.
            let indent = line.prefix(while: { $0 == " " }).count
            if e.column - 1 <= line.count, e.column - 1 > indent,
               let name = key(in: line, from: indent), name.unicodeScalars.count == e.column - 1 - indent,
               let (aboveLine, aboveIndent) = text.previousContentLine(before: e.line), aboveIndent < indent {
                return Diagnostic("'\(name)' is indented wrongly: YAML read it as part of the value on line \(aboveLine)",
                                  at: SourceLocation(file: file, line: e.line, column: indent + 1),
                                  notes: [.init("the keys of one mapping start in the same column; the key on line \(aboveLine) starts in column \(aboveIndent + 1)")])
            }
        }
        if e.problem == "mapping values are not allowed in this context" {
            return Diagnostic("a second ': ' where YAML expects a value", at: at,
                              notes: [.init("a value that contains ': ' must be quoted, as in 'key: \"a: b\"'; a nested mapping starts on its own line")])
        }
        if e.problem == "did not find expected '-' indicator", e.context == "while parsing a block collection",
           let line = text.line(e.line), line.prefix(e.column - 1).allSatisfy({ $0 == " " }),
           let name = key(in: line, from: e.column - 1) {
            return Diagnostic("'\(name)' is indented wrongly: it is in the column of the list on line \(e.contextLine)", at: at,
                              notes: [.init("indent it less to make it a key of the mapping that holds the list, or write '- ' before it to make it a list item")])
        }
        if e.context == "while parsing a flow node", let open = e.openFlow,
           let start = text.offset(line: open.location.line, column: open.location.column), !text.isClosed(collectionAt: start) {
            let (bracket, close) = open.isMapping ? ("{", "}") : ("[", "]")
            return Diagnostic("'\(bracket)' is never closed", at: open.location,
                              notes: [.init("YAML was still looking for a value or '\(close)' here", at: at),
                                      .init("close it with '\(close)', or write the \(open.isMapping ? "mapping" : "list") in block style")])
        }
        if let context = e.context, context == "while parsing a flow mapping" || context == "while parsing a flow sequence" {
            let (open, close) = context == "while parsing a flow mapping" ? ("{", "}") : ("[", "]")
            let opened = SourceLocation(file: file, line: e.contextLine, column: e.contextColumn)
            guard let start = text.offset(line: e.contextLine, column: e.contextColumn) else { return nil }
            if !text.isClosed(collectionAt: start) {
                return Diagnostic("'\(open)' is never closed", at: opened,
                                  notes: [.init("YAML was still looking for ',' or '\(close)' here", at: at),
                                          .init("close it with '\(close)', or write the \(open == "{" ? "mapping" : "list") in block style")])
            }
            return Diagnostic(e.problem + " " + context, at: at,
                              notes: [.init("the \(open == "{" ? "mapping" : "list") starts here; separate its items with ', '", at: opened)])
        }
        return nil
    }

    /// The key that starts at `start` in `line` (`name:` followed by a space or the line's
    /// end), if any.
    static func key(in line: [Unicode.Scalar], from start: Int) -> String? {
        var i = start
        var name = String.UnicodeScalarView()
        while i < line.count, line[i] != ":", line[i] != " ", line[i] != "\t", name.count < 128 {
            name.append(line[i])
            i += 1
        }
        guard !name.isEmpty, i < line.count, line[i] == ":", i + 1 == line.count || line[i + 1] == " " else { return nil }
        return NameRules.printable(String(name))
    }
}

/// The lines of a UTF-8 text, for looking around libyaml's marks.
private struct SourceText {
    let bytes: UnsafeBufferPointer<UInt8>

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// The byte ranges of line `n` (1-based): its start and end (before the line break).
    func lineRange(_ n: Int) -> Range<Int>? {
        guard n >= 1 else { return nil }
        var line = 1, start = 0, i = 0
        while i < bytes.count {
            if line == n { break }
            if bytes[i] == UInt8(ascii: "\n") || (bytes[i] == UInt8(ascii: "\r") && (i + 1 == bytes.count || bytes[i + 1] != UInt8(ascii: "\n"))) {
                line += 1
                start = i + 1
            }
            i += 1
        }
        guard line == n else { return nil }
        var end = start
        while end < bytes.count, bytes[end] != UInt8(ascii: "\n"), bytes[end] != UInt8(ascii: "\r") { end += 1 }
        return start..<end
    }

    /// Line `n` as Unicode scalars (libyaml's columns count scalars); at most 4096 of them.
    func line(_ n: Int) -> [Unicode.Scalar]? {
        guard let range = lineRange(n) else { return nil }
        let slice = UnsafeBufferPointer(rebasing: bytes[range.lowerBound..<min(range.upperBound, range.lowerBound + 16384)])
        return Array(String(decoding: slice, as: UTF8.self).unicodeScalars.prefix(4096))
    }

    /// The byte offset of a 1-based line and column.
    func offset(line n: Int, column: Int) -> Int? {
        guard let range = lineRange(n) else { return nil }
        var i = range.lowerBound, col = 1
        while i < range.upperBound, col < column {
            i += 1
            while i < range.upperBound, bytes[i] & 0xC0 == 0x80 { i += 1 }
            col += 1
        }
        return col == column ? i : nil
    }

    /// The last line before `n` that holds more than blanks and a comment, and its
    /// indentation (in spaces).
    func previousContentLine(before n: Int) -> (line: Int, indent: Int)? {
        guard let range = lineRange(n) else { return nil }
        // Walk back line by line from the start of line `n` (`\n` line breaks).
        var end = range.lowerBound - 1  // the line break before line `n`
        var k = n - 1
        while k >= 1, end >= 0 {
            var start = end
            while start > 0, bytes[start - 1] != UInt8(ascii: "\n") { start -= 1 }
            var i = start
            while i < end, bytes[i] == UInt8(ascii: " ") { i += 1 }
            if i < end, bytes[i] != UInt8(ascii: "#"), bytes[i] != UInt8(ascii: "\r") { return (k, i - start) }
            end = start - 1
            k -= 1
        }
        return nil
    }

    /// Whether the flow collection whose `{` or `[` is at byte `start` is closed by the
    /// matching bracket (quoted scalars and comments skipped). A closing bracket of the
    /// other kind, or the end of the file, means it is not.
    func isClosed(collectionAt start: Int) -> Bool {
        var stack: [UInt8] = []
        var i = start
        var previous = UInt8(ascii: " ")
        while i < bytes.count {
            let b = bytes[i]
            switch b {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                stack.append(b)
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                guard let top = stack.popLast() else { return false }
                if (top == UInt8(ascii: "{")) != (b == UInt8(ascii: "}")) { return false }
                if stack.isEmpty { return true }
            case UInt8(ascii: "#") where previous == UInt8(ascii: " ") || previous == UInt8(ascii: "\t") || previous == UInt8(ascii: "\n"):
                while i < bytes.count, bytes[i] != UInt8(ascii: "\n") { i += 1 }
                continue
            case let q where (q == UInt8(ascii: "'") || q == UInt8(ascii: "\""))
                && [UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "{"), UInt8(ascii: "["), UInt8(ascii: ","), UInt8(ascii: ":")].contains(previous):
                let quote = b
                i += 1
                while i < bytes.count {
                    if quote == UInt8(ascii: "\"") && bytes[i] == UInt8(ascii: "\\") { i += 2; continue }
                    if bytes[i] == quote {
                        if quote == UInt8(ascii: "'") && i + 1 < bytes.count && bytes[i + 1] == quote { i += 2; continue }
                        break
                    }
                    i += 1
                }
            default:
                break
            }
            previous = i < bytes.count ? bytes[i] : b
            i += 1
        }
        return false
    }
}
