/// The three forms of `convgraph compare`'s output: a text table for people, JSON and CSV for
/// tools.
extension Comparison {
    /// A fixed-width table: `run`, the override columns, `status`, `train loss`, `eval loss`,
    /// `accuracy`, `wall time`. Losses have 6 significant digits, accuracy is a percentage,
    /// wall time is in ms under a second and in s above; `-` marks what is not known.
    public var table: String {
        var table = TextTable(headers: ["run"] + overrideKeys + ["status", "train loss", "eval loss", "accuracy", "wall time"],
                              rightAligned: Set((overrideKeys.count + 2)...(overrideKeys.count + 5)))
        for (run, cells) in zip(rows, overrideCells) {
            table.append([Self.cell(run.directory)] + cells.map { $0.map(Self.cell) ?? "-" } + [
                run.status.rawValue,
                run.trainLoss.map { NumberFormat.significant($0) } ?? "-",
                run.evalLoss.map { NumberFormat.significant($0) } ?? "-",
                run.accuracy.map { $0.isFinite ? NumberFormat.significant($0 * 100, 4) + "%" : NumberFormat.significant($0) } ?? "-",
                run.wallMilliseconds.map(Self.wallTime) ?? "-",
            ])
        }
        return table.rendered
    }

    /// A table cell: `text` with control characters escaped (`\\u{a}`), never truncated.
    static func cell(_ text: String) -> String {
        var out = ""
        for s in text.unicodeScalars {
            out += s.value < 32 || s.value == 127 ? "\\u{\(String(s.value, radix: 16))}" : String(s)
        }
        return out
    }

    /// `850 ms`, `12.3 s`.
    static func wallTime(_ ms: Double) -> String {
        ms < 1000 ? NumberFormat.significant(ms, 3) + " ms" : NumberFormat.significant(ms / 1000, 3) + " s"
    }

    /// One JSON object: `columns` (the override columns) and `runs`, a list of
    /// `{run, status, exit_code, graph, overrides, all_overrides, train_loss, eval_loss,
    /// accuracy, wall_ms}` in row order. `overrides` maps each override column to the row's
    /// value (null where the row lacks it); `all_overrides` lists every `KEY=VALUE` of the
    /// row. Numbers are written to round-trip exactly; an unknown one is `null`, a NaN the
    /// string `"nan"`.
    public var json: JSONValue {
        func number(_ x: Double?) -> JSONValue { x.map { .double($0) } ?? .null }
        return .object([
            ("columns", .array(overrideKeys.map { .string($0) })),
            ("runs", .array(zip(rows, overrideCells).map { run, cells in
                .object([
                    ("run", .string(run.directory)),
                    ("status", .string(run.status.rawValue)),
                    ("exit_code", run.exitCode.map { .int($0) } ?? .null),
                    ("graph", run.graph.map { .string($0) } ?? .null),
                    ("overrides", .object(zip(overrideKeys, cells).map { ($0, $1.map { .string($0) } ?? .null) })),
                    ("all_overrides", .array(run.overrides.map { .string($0) })),
                    ("train_loss", number(run.trainLoss)),
                    ("eval_loss", number(run.evalLoss)),
                    ("accuracy", number(run.accuracy)),
                    ("wall_ms", number(run.wallMilliseconds)),
                ])
            })),
        ])
    }

    /// RFC 4180 CSV: a header line `run,KEY…,status,train_loss,eval_loss,accuracy,wall_ms`,
    /// then one line per row, each ended by CRLF. A field holding a comma, a double quote, CR
    /// or LF is enclosed in double quotes, with each double quote doubled. Numbers are written
    /// to round-trip exactly (`nan` for NaN); an unknown value is an empty field.
    public var csv: String {
        func number(_ x: Double?) -> String { x.map { $0.isNaN ? "nan" : "\($0)" } ?? "" }
        var lines = [(["run"] + overrideKeys + ["status", "train_loss", "eval_loss", "accuracy", "wall_ms"]).map(Self.csvField)]
        for (run, cells) in zip(rows, overrideCells) {
            lines.append(([run.directory] + cells.map { $0 ?? "" } + [
                run.status.rawValue, number(run.trainLoss), number(run.evalLoss), number(run.accuracy), number(run.wallMilliseconds),
            ]).map(Self.csvField))
        }
        return lines.map { $0.joined(separator: ",") + "\r\n" }.joined()
    }

    /// One CSV field, quoted when it must be (RFC 4180).
    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) else { return text }
        var out = "\""
        for c in text {
            out.append(c)
            if c == "\"" { out.append("\"") }
        }
        return out + "\""
    }
}
