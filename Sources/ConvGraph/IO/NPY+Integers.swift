/// Integer and boolean `.npy` arrays (SPEC §6): `|b1 |i1 |u1 <i2 <u2 <i4 <u4 <i8 <u8` and the
/// `>` byte orders, converted exactly to the graph dtype. Labels come this way.
///
/// A value whose magnitude exceeds 2^24 (float32) or 2^53 (float64) is refused even when it
/// happens to be representable (2^24 + 2 is a float32): the rule is about the range in which
/// every whole number is exact, so a file is accepted or refused by its values' size alone.
extension NPY {
    /// The element kinds a descriptor may name.
    enum ElementKind: Equatable {
        case float, signed, unsigned, bool

        /// Kind, item size and byte order of an accepted descriptor, or `nil`.
        static func parse(_ descriptor: String) -> (ElementKind, Int, Bool)? {
            switch descriptor {
            case "<f4": (.float, 4, false)
            case "<f8": (.float, 8, false)
            case ">f4": (.float, 4, true)
            case ">f8": (.float, 8, true)
            case "|b1": (.bool, 1, false)
            case "|i1": (.signed, 1, false)
            case "|u1": (.unsigned, 1, false)
            default: multiByteInteger(descriptor)
            }
        }

        private static func multiByteInteger(_ descriptor: String) -> (ElementKind, Int, Bool)? {
            let chars = Array(descriptor)
            guard chars.count == 3, chars[0] == "<" || chars[0] == ">",
                  chars[1] == "i" || chars[1] == "u", let size = Int(String(chars[2])), [2, 4, 8].contains(size) else { return nil }
            return (chars[1] == "i" ? .signed : .unsigned, size, chars[0] == ">")
        }
    }

    /// The `count` elements of an integer or boolean array as `T`, in file order.
    /// - Throws: `.wholeNumberTooLarge` for the first element (in file order) whose
    ///   magnitude exceeds `limit`'s exact range, with its C-order index.
    static func wholeNumbers<T: TensorScalar>(_ bytes: [UInt8], header: Header, count: Int,
                                               limit dtype: DType, as _: T.Type) throws(NPYError) -> [T] {
        let size = header.itemSize
        let bits = dtype.exactWholeNumberBits
        let largest = UInt64(1) << UInt64(bits)
        let shift = UInt64(64 - 8 * size)
        var out = [T]()
        out.reserveCapacity(count)
        var offender: (position: Int, value: String)?
        bytes.withUnsafeBytes { raw in
            var p = header.dataOffset
            for k in 0..<count {
                var pattern: UInt64 = 0
                if header.bigEndian {
                    for b in 0..<size { pattern = pattern << 8 | UInt64(raw[p + b]) }
                } else {
                    for b in stride(from: size - 1, through: 0, by: -1) { pattern = pattern << 8 | UInt64(raw[p + b]) }
                }
                p += size
                switch header.kind {
                case .bool:
                    out.append(pattern == 0 ? 0 : 1)
                case .unsigned:
                    if pattern > largest { offender = (k, String(pattern)); return }
                    out.append(T(pattern))
                case .signed, .float:
                    // Sign-extend the item to 64 bits.
                    let value = Int64(bitPattern: pattern << shift) >> Int64(shift)
                    if value.magnitude > largest { offender = (k, String(value)); return }
                    out.append(T(value))
                }
            }
        }
        if let offender {
            let index = header.fortranOrder
                ? multiIndex(offender.position, dims: header.dims.reversed()).reversed()
                : multiIndex(offender.position, dims: header.dims)
            throw .wholeNumberTooLarge(index: Array(index), value: offender.value, bits: bits, dtype: dtype)
        }
        return out
    }

    /// The index of element `flat` of a C-ordered array of `dims`.
    static func multiIndex(_ flat: Int, dims: [Int]) -> [Int] {
        var rest = flat
        var out = Array(repeating: 0, count: dims.count)
        for axis in stride(from: dims.count - 1, through: 0, by: -1) where dims[axis] > 0 {
            out[axis] = rest % dims[axis]
            rest /= dims[axis]
        }
        return out
    }
}

extension DType {
    /// Every whole number of magnitude up to 2^this is exact in the dtype (24 for float32,
    /// 53 for float64): the bound integer `.npy` values are held to (SPEC §6).
    public var exactWholeNumberBits: Int {
        switch self {
        case .float32: 24
        case .float64: 53
        }
    }
}

extension NPY {
    /// numpy's name for an accepted descriptor (`<i8` → `int64`, `|b1` → `bool`).
    static func dtypeName(_ descriptor: String) -> String {
        guard let (kind, size, _) = ElementKind.parse(descriptor) else { return "unknown" }
        switch kind {
        case .float: return "float\(size * 8)"
        case .signed: return "int\(size * 8)"
        case .unsigned: return "uint\(size * 8)"
        case .bool: return "bool"
        }
    }
}
