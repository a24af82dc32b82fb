/// `convgraph ops` as text and as the Markdown of the DocC article `OpsReference.md`, rendered from
/// each op's ``Op/reference``.
extension OpReference {
    /// One line per op (its ports, attribute names and output shape), then every op in full
    /// as ``detail(of:)`` prints it.
    public static func overview(of ops: [any Op.Type] = OpRegistry.all) -> String {
        var table = TextTable(headers: ["op", "ports", "attributes", "output"])
        for op in ops {
            let r = op.reference
            table.append([op.name, op.ports.isEmpty ? "—" : op.ports.map(\.displayName).joined(separator: ", "),
                          r.attributes.isEmpty ? "—" : r.attributes.map(\.name).joined(separator: ", "), r.output])
        }
        return table.rendered + "\n(… a variadic port, ? an optional one)\n" + ops.map { "\n" + detail(of: $0) }.joined()
    }

    /// Everything about one op, as `convgraph ops NAME` prints it.
    public static func detail(of op: any Op.Type) -> String {
        let r = op.reference
        var out = "\(op.name): \(r.summary)\n\nports:\n"
        if r.ports.isEmpty {
            out += "  none (a leaf)\n"
        } else {
            let names = op.ports.map(\.displayName)
            let width = names.map(\.count).max() ?? 0
            for (name, port) in zip(names, r.ports) {
                out += "  " + name + String(repeating: " ", count: width - name.count) + "  " + port.doc + "\n"
            }
        }
        out += "\nattributes:\n"
        if r.attributes.isEmpty {
            out += "  none\n"
        } else {
            var table = TextTable(headers: ["name", "type", "default"])
            for a in r.attributes { table.append([a.name, a.type, a.defaultText]) }
            out += table.rendered.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n") + "\n"
            for a in r.attributes { out += "  \(a.name): \(a.doc)\n" }
        }
        out += "\noutput:   \(r.output)\nformula:  \(r.formula)\nbackward: \(r.backward)\n"
        return out
    }

    /// The DocC article `OpsReference.md`: the shared rules, then a section per op. A test checks that
    /// the committed article equals this text (`convgraph ops --markdown` regenerates it).
    public static func markdown(of ops: [any Op.Type] = OpRegistry.all) -> String {
        var out = """
            # Op reference

            Every op a graph file can use: its ports, attributes with types and defaults, output shape, formula and gradient.

            ## Overview

            This article is generated from the op registry by `convgraph ops --markdown`, and a test
            checks that it matches the code; `convgraph ops` prints the same reference in a terminal,
            `convgraph ops NAME` one op.

            Tensors are 4-D NCHW, except a conv bias (any shape with as many elements as output
            channels) and the scalars (0-d, saved with shape `()`) that `sum`, `mean`, `l2` and `mse`
            give. Spatial attributes (`stride`, `dilation`, `window`) take an int (both axes) or a list
            `[h, w]`. Padding (`padding`, `pads`) takes `p` (all four sides), `[ph, pw]` or
            `[top, bottom, left, right]`; `padding` of `conv` and `pool` also takes `valid` (0) or `same`.
            An attribute that has no effect in the chosen mode is an error, and so is an unknown one.
            Edges without a port go to an op's first port; a variadic port takes its edges in the
            order they are listed. A node read by several others receives the sum of their gradients.

            | op | ports | attributes | output |
            | --- | --- | --- | --- |

            """
        for op in ops {
            let r = op.reference
            let ports = op.ports.isEmpty ? "—" : op.ports.map { "`\($0.displayName)`" }.joined(separator: ", ")
            let attributes = r.attributes.isEmpty ? "—" : r.attributes.map { "`\($0.name)`" }.joined(separator: ", ")
            out += "| `\(op.name)` | \(ports) | \(attributes) | \(cell(r.output)) |\n"
        }
        for op in ops {
            let r = op.reference
            out += "\n## \(op.name)\n\n\(r.summary)\n\n"
            if r.ports.isEmpty {
                out += "No ports: a leaf.\n\n"
            } else {
                out += "| port | takes |\n| --- | --- |\n"
                for (port, doc) in zip(op.ports, r.ports) { out += "| `\(port.displayName)` | \(cell(doc.doc)) |\n" }
                out += "\n"
            }
            if r.attributes.isEmpty {
                out += "No attributes.\n\n"
            } else {
                out += "| attribute | type | default | meaning |\n| --- | --- | --- | --- |\n"
                for a in r.attributes {
                    out += "| `\(a.name)` | \(cell(a.type)) | \(cell(a.defaultValue.map { $0.contains(" ") ? $0 : "`\($0)`" } ?? "required")) | \(cell(a.doc)) |\n"
                }
                out += "\n"
            }
            out += "- Output: \(r.output)\n- Formula: \(r.formula)\n- Backward: \(r.backward)\n"
        }
        return out
    }

    /// A Markdown table cell: `|` escaped.
    private static func cell(_ text: String) -> String {
        text.split(separator: "|", omittingEmptySubsequences: false).joined(separator: "\\|")
    }
}

extension Port {
    /// The name with its kind: `inputs…` for a variadic port, `bias?` for an optional one.
    var displayName: String { name + (isVariadic ? "…" : "") + (isOptional ? "?" : "") }
}
