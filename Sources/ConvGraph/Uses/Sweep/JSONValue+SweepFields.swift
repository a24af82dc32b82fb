/// Reading members of parsed JSON (`sweep.json`, a run's `manifest.json`); prefixed so
/// they cannot clash with accessors other uses may add.
extension JSONValue {
    /// The member `key` of an object (the first one), else `nil`.
    func sweepField(_ key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == key }?.1
    }

    /// The text of a string, else `nil`.
    var sweepString: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The elements of an array, else `nil`.
    var sweepArray: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// A number as a double (an int converted), else `nil`.
    var sweepDouble: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }
}
