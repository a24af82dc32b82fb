import CYAML

/// Parses YAML text with the system libyaml (event API) into a `YAMLNode` tree.
///
/// - Anchors, aliases and merge keys (`<<: *defaults`, or a list of mappings, earlier
///   ones winning; explicit keys always win) are resolved here.
/// - A duplicate key in any mapping is an error at its second occurrence with a note
///   naming the first (libyaml accepts duplicates; we do not).
/// - Bounded: nesting beyond `Limits.maxYAMLDepth` and more than `Limits.maxYAMLNodes`
///   nodes after alias expansion are refused as they are crossed. Aliases share storage
///   with their anchor (value types), so a "billion laughs" file costs little before it
///   is refused. The tree is built with an explicit stack: no recursion.
/// - Exactly one document per file; tags other than the core-schema ones are errors.
///
/// - Complexity: O(size of the expanded tree).
public struct YAMLParser {
    public var file: String
    public var limits: Limits

    public init(file: String, limits: Limits = .default) {
        self.file = file
        self.limits = limits
    }

    /// Parses `bytes` (UTF-8, UTF-16 with a BOM) into the document's root node.
    /// - Throws: `ConvGraphError` of kind `.invalidInput` with every diagnostic found.
    public func parse(_ bytes: [UInt8]) throws(ConvGraphError) -> YAMLNode {
        var state = BuildState(file: file, limits: limits)
        let result: YAMLNode? = bytes.withUnsafeBufferPointer { buffer in
            let parser = LibYAMLParser(buffer)
            return state.run(parser, bytes: buffer)
        }
        if !state.diagnostics.isEmpty {
            throw ConvGraphError(.invalidInput, state.diagnostics)
        }
        guard let root = result else {
            throw ConvGraphError(.invalidInput, Diagnostic("the file holds no YAML document", at: SourceLocation(file: file, line: 1, column: 1)))
        }
        return root
    }
}

/// Owns a `yaml_parser_t` and frees it in `deinit` (Yams' pattern).
private final class LibYAMLParser {
    var parser = yaml_parser_t()

    init(_ buffer: UnsafeBufferPointer<UInt8>) {
        yaml_parser_initialize(&parser)
        // libyaml reads the bytes in place; the buffer outlives this object (see `parse`).
        if let base = buffer.baseAddress {
            yaml_parser_set_input_string(&parser, base, buffer.count)
        } else {
            var empty: UInt8 = 0
            yaml_parser_set_input_string(&parser, &empty, 0)
        }
    }

    deinit { yaml_parser_delete(&parser) }

    /// The next event, or the parser's error.
    func next() -> Result<Event, LibYAMLError> {
        let event = Event()
        if yaml_parser_parse(&parser, &event.event) == 0 {
            return .failure(LibYAMLError(parser))
        }
        return .success(event)
    }
}

/// Owns one `yaml_event_t`.
private final class Event {
    var event = yaml_event_t()
    deinit { yaml_event_delete(&event) }
}

/// libyaml's error: problem text and 0-based mark.
private struct LibYAMLError: Error {
    var message: String
    var line: Int
    var column: Int
    /// The parts of the message and the context's mark (0-based), for `YAMLMistakes`.
    var problem: String
    var context: String?
    var contextLine: Int
    var contextColumn: Int

    init(_ parser: yaml_parser_t) {
        problem = parser.problem.map { String(cString: $0) } ?? "malformed YAML"
        context = parser.context.map { String(cString: $0) }
        contextLine = Int(parser.context_mark.line)
        contextColumn = Int(parser.context_mark.column)
        var text = problem
        if let context {
            text += " " + context
        }
        // libyaml says "did not find expected key" etc.; keep its words, lowercase.
        message = text
        let mark = parser.problem_mark
        line = Int(mark.line)
        column = Int(mark.column)
        if parser.error == YAML_READER_ERROR {
            // Reader errors carry a byte offset, not a line; lines were not counted yet.
            line = -1
            column = Int(parser.problem_offset)
        }
    }
}

private struct BuildState {
    let file: String
    let limits: Limits
    var diagnostics: [Diagnostic] = []
    var anchors: [String: (node: YAMLNode, count: Int)] = [:]
    var expandedNodes = 0

    /// An open collection.
    struct Frame {
        enum Kind { case sequence, mapping }
        var kind: Kind
        var location: SourceLocation
        var anchor: String?
        var tag: YAMLNode.CoreTag?
        var items: [YAMLNode] = []
        /// Mapping entries as written, `<<` included; alternating key/value nodes.
        var entries: [(key: YAMLNode, value: YAMLNode)] = []
        var pendingKey: YAMLNode?
        var count = 1
        /// Written `{…}` or `[…]` (for explaining an unclosed one).
        var isFlow = false
    }
    var stack: [Frame] = []
    var root: YAMLNode?
    var documents = 0
    var bytes: UnsafeBufferPointer<UInt8>? = nil

    init(file: String, limits: Limits) {
        self.file = file
        self.limits = limits
    }

    func location(_ mark: yaml_mark_t) -> SourceLocation {
        // The one place libyaml's 0-based marks become 1-based positions.
        SourceLocation(file: file, line: Int(mark.line) + 1, column: Int(mark.column) + 1)
    }

    mutating func error(_ message: String, at location: SourceLocation, notes: [Diagnostic.Note] = []) {
        diagnostics.append(Diagnostic(message, at: location, notes: notes))
    }

    /// Runs the event loop; returns the root, or nil after a fatal error.
    mutating func run(_ parser: LibYAMLParser, bytes: UnsafeBufferPointer<UInt8>) -> YAMLNode? {
        while true {
            let event: Event
            switch parser.next() {
            case .failure(let e):
                let at: SourceLocation
                if e.line < 0 {
                    at = Self.location(ofByte: e.column, in: bytes, file: file)
                    diagnostics.append(Diagnostic(e.message, at: at))
                } else {
                    at = SourceLocation(file: file, line: e.line + 1, column: e.column + 1)
                    let flow = stack.last.flatMap { $0.isFlow ? ($0.location, $0.kind == .mapping) : nil }
                    let problem = YAMLMistakes.LibYAMLProblem(problem: e.problem, context: e.context, line: e.line + 1, column: e.column + 1,
                                                              contextLine: e.contextLine + 1, contextColumn: e.contextColumn + 1,
                                                              openFlow: flow)
                    diagnostics.append(YAMLMistakes.explain(problem, in: bytes, file: file) ?? Diagnostic(e.message, at: at))
                }
                return nil
            case .success(let ev):
                event = ev
            }
            let e = event.event
            let at = location(e.start_mark)
            switch e.type {
            case YAML_STREAM_END_EVENT:
                return root
            case YAML_DOCUMENT_START_EVENT:
                documents += 1
                if documents > 1 {
                    error("a graph file holds exactly one YAML document; a second one starts here", at: at)
                    return nil
                }
            case YAML_SCALAR_EVENT:
                let s = e.data.scalar
                let text = String(decoding: UnsafeBufferPointer(start: s.value, count: Int(s.length)), as: UTF8.self)
                let tag = coreTag(s.tag, at: at)
                let plain = s.style == YAML_PLAIN_SCALAR_STYLE
                let node = YAMLNode(.scalar(text, plain: plain, tag: tag), at: at)
                if let tag, !Self.scalar(node, fits: tag) {
                    error("the value does not fit its tag '!!\(tag.rawValue)'", at: at)
                }
                guard countNodes(1, at: at) else { return nil }
                finish(node, count: 1, anchor: anchorName(s.anchor))
            case YAML_ALIAS_EVENT:
                let name = anchorName(e.data.alias.anchor) ?? ""
                guard let target = anchors[name] else {
                    error("unknown alias '*\(name)'", at: at)
                    return nil
                }
                guard countNodes(target.count, at: at) else { return nil }
                finish(target.node, count: target.count, anchor: nil)
            case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                guard stack.count < limits.maxYAMLDepth else {
                    error("YAML nesting is deeper than the limit of \(limits.maxYAMLDepth) levels", at: at)
                    return nil
                }
                guard countNodes(1, at: at) else { return nil }
                let isSequence = e.type == YAML_SEQUENCE_START_EVENT
                let anchor = isSequence ? e.data.sequence_start.anchor : e.data.mapping_start.anchor
                let rawTag = isSequence ? e.data.sequence_start.tag : e.data.mapping_start.tag
                var frame = Frame(kind: isSequence ? .sequence : .mapping, location: at, anchor: anchorName(anchor), tag: coreTag(rawTag, at: at))
                frame.isFlow = isSequence ? e.data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE : e.data.mapping_start.style == YAML_FLOW_MAPPING_STYLE
                stack.append(frame)
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                guard let frame = stack.popLast() else { return nil }
                if let tag = frame.tag, tag != (frame.kind == .sequence ? .seq : .map) {
                    error("a \(frame.kind == .sequence ? "list" : "mapping") cannot carry the tag '!!\(tag.rawValue)'", at: frame.location)
                }
                let node: YAMLNode
                if frame.kind == .sequence {
                    node = YAMLNode(.sequence(frame.items), at: frame.location)
                } else {
                    node = YAMLNode(.mapping(resolveMapping(frame.entries)), at: frame.location)
                }
                finish(node, count: frame.count, anchor: frame.anchor)
            default:
                break
            }
        }
    }

    /// The line and column (in characters) of a byte offset, for libyaml's reader errors
    /// (invalid UTF-8, control characters), which carry only an offset.
    static func location(ofByte offset: Int, in bytes: UnsafeBufferPointer<UInt8>, file: String) -> SourceLocation {
        var line = 1, column = 1
        for i in 0..<min(offset, bytes.count) {
            if bytes[i] == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if bytes[i] & 0xC0 != 0x80 {
                column += 1
            }
        }
        return SourceLocation(file: file, line: line, column: column)
    }

    /// Whether a scalar can be read as its explicit core tag says.
    static func scalar(_ node: YAMLNode, fits tag: YAMLNode.CoreTag) -> Bool {
        guard case .scalar(let text, _, _) = node.content else { return false }
        switch tag {
        case .str: return true
        case .seq, .map: return false
        case .null: if case .null? = YAMLScalar.resolveCore(text) { return true } else { return false }
        case .bool: if case .bool? = YAMLScalar.resolveCore(text) { return true } else { return false }
        case .int: if case .int? = YAMLScalar.resolveCore(text) { return true } else { return false }
        case .float:
            switch YAMLScalar.resolveCore(text) {
            case .int?, .float?: return true
            default: return false
            }
        }
    }

    /// Counts `n` more expanded nodes; false (after a diagnostic) past the budget.
    mutating func countNodes(_ n: Int, at: SourceLocation) -> Bool {
        expandedNodes += n
        if expandedNodes > limits.maxYAMLNodes {
            error("the YAML expands to more than \(limits.maxYAMLNodes) nodes (alias expansion budget exceeded)", at: at)
            return false
        }
        return true
    }

    func anchorName(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: UnsafePointer($0)) }
    }

    mutating func coreTag(_ pointer: UnsafeMutablePointer<yaml_char_t>?, at: SourceLocation) -> YAMLNode.CoreTag? {
        guard let pointer else { return nil }
        let tag = String(cString: UnsafePointer(pointer))
        let prefix = "tag:yaml.org,2002:"
        if tag.hasPrefix(prefix), let core = YAMLNode.CoreTag(rawValue: String(tag.dropFirst(prefix.count))) {
            return core
        }
        error("unsupported YAML tag '\(tag.hasPrefix(prefix) ? "!!" + tag.dropFirst(prefix.count) : tag)'", at: at,
              notes: [.init("only the core-schema tags !!str, !!int, !!float, !!bool, !!null, !!seq and !!map are allowed")])
        return nil
    }

    /// Attaches a completed node to its parent (or makes it the root).
    mutating func finish(_ node: YAMLNode, count: Int, anchor: String?) {
        if let anchor { anchors[anchor] = (node, count) }
        guard !stack.isEmpty else {
            root = node
            return
        }
        stack[stack.count - 1].count += count
        switch stack[stack.count - 1].kind {
        case .sequence:
            stack[stack.count - 1].items.append(node)
        case .mapping:
            if let key = stack[stack.count - 1].pendingKey {
                stack[stack.count - 1].entries.append((key, node))
                stack[stack.count - 1].pendingKey = nil
            } else {
                stack[stack.count - 1].pendingKey = node
            }
        }
    }

    /// Turns written entries into pairs: checks keys, reports duplicates, applies merges.
    mutating func resolveMapping(_ entries: [(key: YAMLNode, value: YAMLNode)]) -> [YAMLNode.Pair] {
        var firstSeen: [String: SourceLocation] = [:]
        var explicit: [(key: String, at: SourceLocation, value: YAMLNode)] = []
        var order: [Either] = []
        enum Either { case explicit(Int), merge([YAMLNode.Pair]) }
        for (keyNode, value) in entries {
            guard case .scalar(let key, let plain, _) = keyNode.content else {
                error("a mapping key must be a string, not \(keyNode.kindDescription)", at: keyNode.location)
                continue
            }
            if key == "<<" && plain {
                order.append(.merge(mergedPairs(value)))
                continue
            }
            if let first = firstSeen[key] {
                error("duplicate key '\(key)'", at: keyNode.location,
                      notes: [.init("'\(key)' was first defined on line \(first.line)", at: first)])
                continue
            }
            firstSeen[key] = keyNode.location
            explicit.append((key, keyNode.location, value))
            order.append(.explicit(explicit.count - 1))
        }
        var result: [YAMLNode.Pair] = []
        var present = Set(firstSeen.keys)
        for item in order {
            switch item {
            case .explicit(let i):
                result.append(YAMLNode.Pair(key: explicit[i].key, keyLocation: explicit[i].at, value: explicit[i].value))
            case .merge(let pairs):
                for pair in pairs where !present.contains(pair.key) {
                    present.insert(pair.key)
                    result.append(pair)
                }
            }
        }
        return result
    }

    /// The pairs a `<<` value contributes: a mapping, or a list of mappings (earlier wins).
    mutating func mergedPairs(_ value: YAMLNode) -> [YAMLNode.Pair] {
        switch value.content {
        case .mapping(let pairs):
            return pairs
        case .sequence(let items):
            var out: [YAMLNode.Pair] = []
            var seen = Set<String>()
            for item in items {
                guard let pairs = item.pairs else {
                    error("a merge key '<<' takes a mapping or a list of mappings, not \(item.kindDescription)", at: item.location)
                    continue
                }
                for pair in pairs where !seen.contains(pair.key) {
                    seen.insert(pair.key)
                    out.append(pair)
                }
            }
            return out
        case .scalar:
            error("a merge key '<<' takes a mapping or a list of mappings, not \(value.kindDescription)", at: value.location)
            return []
        }
    }
}
