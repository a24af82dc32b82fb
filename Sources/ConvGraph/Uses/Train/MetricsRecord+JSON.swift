/// The `metrics.jsonl` form of a record (SPEC §10) and its reverse.
///
/// A line is one compact JSON object, keys in the SPEC's order:
/// `{"kind":"train","step":…,"epoch":…,"lr":…,"loss":…,"samples_per_s":…}` or
/// `{"kind":"eval","step":…,"epoch":…,"loss":…,"accuracy":…}`.
///
/// - Doubles are written in their shortest round-trip form (`0.1`, `1e-300`, `2.0`), so a line
///   reads back to the same bits.
/// - JSON has no NaN or infinity: a non-finite double (a diverged loss, say) is written as
///   `null`, and `null` reads back as `Double.nan`. So `inf` and `-inf` read back as NaN; the
///   curves show neither (``TrainingCurves`` skips and counts them).
/// - `accuracy` is `null` when it is `nil` (and when it is not finite); `null` reads back as
///   `nil`.
///
/// Reading is strict: at most 64 KiB, one JSON object (``JSONParser``), the keys of the kind,
/// each exactly once, no others; `step` and `epoch` JSON integers; the other numbers any JSON
/// number or `null`. Values are not range-checked: reading inverts writing.
extension MetricsRecord {
    /// The record as a JSON object, keys in the SPEC's order.
    public var json: JSONValue {
        switch self {
        case .train(let step, let epoch, let lr, let loss, let samplesPerSecond):
            return .object([
                ("kind", .string("train")), ("step", .int(step)), ("epoch", .int(epoch)),
                ("lr", Self.number(lr)), ("loss", Self.number(loss)),
                ("samples_per_s", Self.number(samplesPerSecond)),
            ])
        case .eval(let step, let epoch, let loss, let accuracy):
            return .object([
                ("kind", .string("eval")), ("step", .int(step)), ("epoch", .int(epoch)),
                ("loss", Self.number(loss)), ("accuracy", accuracy.map(Self.number) ?? .null),
            ])
        }
    }

    /// The record's line of `metrics.jsonl`, without the newline.
    public var jsonLine: String { json.serialized(indent: nil) }

    /// Reads one line of `metrics.jsonl` (surrounding whitespace, e.g. a final `\r`, allowed).
    /// - Throws: ``MetricsDecodingError`` (with `line` nil).
    public init(jsonLine: String) throws(MetricsDecodingError) {
        try self.init(jsonLine: jsonLine.utf8)
    }

    /// The longest line read, in bytes (a record's line is under 200).
    public static let maxLineBytes = 1 << 16

    /// Reads one line of `metrics.jsonl` from its UTF-8 bytes (at most `maxLineBytes`,
    /// nesting at most 2).
    init(jsonLine bytes: some Collection<UInt8>) throws(MetricsDecodingError) {
        guard bytes.count <= Self.maxLineBytes else { throw MetricsDecodingError(.tooLong(limit: Self.maxLineBytes)) }
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes, maxDepth: 2)
        } catch {
            throw MetricsDecodingError(.json(error))
        }
        try self.init(json: value)
    }

    /// Reads a record from its JSON object (see ``json``).
    /// - Throws: ``MetricsDecodingError`` (with `line` nil).
    public init(json: JSONValue) throws(MetricsDecodingError) {
        guard case .object(let pairs) = json else { throw MetricsDecodingError(.notAnObject) }
        var fields: [String: JSONValue] = [:]
        for (key, value) in pairs {
            guard fields.updateValue(value, forKey: key) == nil else {
                throw MetricsDecodingError(.duplicateKey(Self.shortToken(key)))
            }
        }
        guard case .string(let kind)? = fields["kind"] else {
            throw MetricsDecodingError(fields["kind"] == nil ? .missingKey("kind") : .wrongType(key: "kind"))
        }
        let keys: [String]
        switch kind {
        case "train": keys = ["kind", "step", "epoch", "lr", "loss", "samples_per_s"]
        case "eval": keys = ["kind", "step", "epoch", "loss", "accuracy"]
        default: throw MetricsDecodingError(.unknownKind)
        }
        for (key, _) in pairs where !keys.contains(key) {
            throw MetricsDecodingError(.unexpectedKey(Self.shortToken(key)))
        }
        let step = try Self.integer("step", fields)
        let epoch = try Self.integer("epoch", fields)
        let loss = try Self.double("loss", fields) ?? .nan
        if kind == "train" {
            self = .train(
                step: step, epoch: epoch, lr: try Self.double("lr", fields) ?? .nan, loss: loss,
                samplesPerSecond: try Self.double("samples_per_s", fields) ?? .nan)
        } else {
            self = .eval(step: step, epoch: epoch, loss: loss, accuracy: try Self.double("accuracy", fields))
        }
    }

    /// Every record of a `metrics.jsonl` text, in order. Empty lines (and a missing final
    /// newline) are allowed.
    /// - Throws: ``MetricsDecodingError`` with the 1-based `line` of the first bad line.
    public static func records(jsonLines text: String) throws(MetricsDecodingError) -> [MetricsRecord] {
        var records: [MetricsRecord] = []
        // Split on the byte: "\r\n" is one `Character`, so a split on Characters would miss it.
        let lines = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        for (k, line) in lines.enumerated() {
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            do {
                records.append(try MetricsRecord(jsonLine: line))
            } catch {
                var located = error
                located.line = k + 1
                throw located
            }
        }
        return records
    }

    private static func number(_ x: Double) -> JSONValue { x.isFinite ? .double(x) : .null }

    private static func integer(_ key: String, _ fields: [String: JSONValue]) throws(MetricsDecodingError) -> Int {
        switch fields[key] {
        case .int(let i)?: return i
        case nil: throw MetricsDecodingError(.missingKey(key))
        default: throw MetricsDecodingError(.wrongType(key: key))
        }
    }

    /// A number, or nil for `null`.
    private static func double(_ key: String, _ fields: [String: JSONValue]) throws(MetricsDecodingError) -> Double? {
        switch fields[key] {
        case .double(let d)?: return d
        case .int(let i)?: return Double(i)
        case .null?: return nil
        case nil: throw MetricsDecodingError(.missingKey(key))
        default: throw MetricsDecodingError(.wrongType(key: key))
        }
    }

    /// `key` if it is printable ASCII of at most 32 characters, else nil (never echo raw input).
    private static func shortToken(_ key: String) -> String? {
        key.utf8.count <= 32 && key.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) ? key : nil
    }
}

/// Why a line of `metrics.jsonl` is not a ``MetricsRecord``.
public struct MetricsDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong.
    public enum Problem: Sendable, Equatable {
        /// The line is longer than ``MetricsRecord/maxLineBytes``.
        case tooLong(limit: Int)
        /// The line is not JSON.
        case json(JSONParseError)
        /// The line is JSON but not an object.
        case notAnObject
        /// `kind` is neither `"train"` nor `"eval"`.
        case unknownKind
        /// A key the kind requires is absent.
        case missingKey(String)
        /// A key the kind does not have (nil when it is not a short printable token).
        case unexpectedKey(String?)
        /// A key twice in the object (nil when it is not a short printable token).
        case duplicateKey(String?)
        /// A value of the wrong JSON type (`step`/`epoch` need an integer, the rest a number or null).
        case wrongType(key: String)
    }

    /// What is wrong.
    public var problem: Problem
    /// The 1-based line in the file, when known.
    public var line: Int?

    public init(_ problem: Problem, line: Int? = nil) {
        self.problem = problem
        self.line = line
    }

    public var description: String {
        let what: String
        switch problem {
        case .tooLong(let limit): what = "longer than \(limit) bytes"
        case .json(let error): what = "not JSON: \(error)"
        case .notAnObject: what = "not a JSON object"
        case .unknownKind: what = "'kind' is neither \"train\" nor \"eval\""
        case .missingKey(let key): what = "missing key '\(key)'"
        case .unexpectedKey(let key): what = key.map { "unexpected key '\($0)'" } ?? "unexpected key"
        case .duplicateKey(let key): what = key.map { "key '\($0)' appears twice" } ?? "a key appears twice"
        case .wrongType(let key): what = "'\(key)' has the wrong type"
        }
        return line.map { "metrics.jsonl line \($0): \(what)" } ?? "metrics line: \(what)"
    }
}
