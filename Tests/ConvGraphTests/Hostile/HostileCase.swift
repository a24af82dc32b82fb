import Testing

/// One hostile input for the command line: the files to create in a fresh working
/// directory, the arguments, and what must come out (SPEC §7–8).
struct HostileCase: Sendable, CustomTestStringConvertible {
    /// A file to create before the run, relative to the working directory.
    enum File: Sendable {
        case text(String)
        case bytes([UInt8])
        /// `count` bytes: `prefix`, then `fill` repeated (made when the case runs).
        case large(prefix: String, fill: UInt8, count: Int)
        case fifo
        case directory
        case symlink(to: String)
    }

    var name: String
    var files: [(path: String, file: File)]
    var arguments: [String]
    /// The exit status: 64 usage, 65 invalid graph or tensor, 66 missing file, 73 cannot write.
    var status: Int32
    /// `FILE:LINE:COL` of the first error, when one applies (matched as `FILE:LINE:COL: error: `).
    var position: String?
    /// Fragments of stderr.
    var messages: [String]

    var testDescription: String { name }

    init(_ name: String, files: [(path: String, file: File)] = [], _ arguments: [String], status: Int32,
         at position: String? = nil, message: String? = nil, messages: [String] = []) {
        self.name = name
        self.files = files
        self.arguments = arguments
        self.status = status
        self.position = position
        self.messages = (message.map { [$0] } ?? []) + messages
    }

    /// A case whose graph file `g.yaml` holds `yaml`; runs `convgraph run g.yaml` unless
    /// `arguments` says otherwise (`run` shows that nothing is written on failure).
    static func graph(_ name: String, _ yaml: String, _ arguments: [String] = ["run", "g.yaml"], status: Int32 = 65,
                      at position: String?, message: String? = nil, messages: [String] = [],
                      also files: [(path: String, file: File)] = []) -> HostileCase {
        HostileCase(name, files: [("g.yaml", .text(yaml))] + files, arguments, status: status, at: position, message: message, messages: messages)
    }

    /// A case whose graph file `g.yaml` holds raw bytes.
    static func graphBytes(_ name: String, _ bytes: [UInt8], status: Int32 = 65, at position: String?, message: String? = nil) -> HostileCase {
        HostileCase(name, files: [("g.yaml", .bytes(bytes))], ["run", "g.yaml"], status: status, at: position, message: message)
    }
}

/// Builders of `.npy` bytes, valid and not.
enum NPYBytes {
    /// A `.npy` file: magic, `version`, header length, `header` padded with spaces and a
    /// newline to a multiple of 64 bytes (as NumPy does), then `data`.
    static func make(header: String, version: UInt8 = 1, data: [UInt8]) -> [UInt8] {
        let lengthBytes = version == 1 ? 2 : 4
        var text = Array(header.utf8)
        let unpadded = 6 + 2 + lengthBytes + text.count + 1
        text += Array(repeating: UInt8(ascii: " "), count: (64 - unpadded % 64) % 64) + [UInt8(ascii: "\n")]
        var out: [UInt8] = [0x93] + Array("NUMPY".utf8) + [version, 0]
        for i in 0..<lengthBytes { out.append(UInt8((text.count >> (8 * i)) & 0xff)) }
        return out + text + data
    }

    /// The header dict for `descr`, `fortran_order` and `shape`, as NumPy writes it.
    static func header(descr: String = "<f8", fortran: String = "False", shape: String = "(1, 1, 2, 2)") -> String {
        "{'descr': '\(descr)', 'fortran_order': \(fortran), 'shape': \(shape), }"
    }

    /// `count` little-endian float64 values 0, 1, 2, …
    static func doubles(_ count: Int) -> [UInt8] {
        (0..<count).flatMap { i -> [UInt8] in
            let bits = Double(i).bitPattern
            return (0..<8).map { UInt8((bits >> (8 * UInt64($0))) & 0xff) }
        }
    }

    /// A valid `[1, 1, 2, 2]` float64 file.
    static let good = make(header: header(), data: doubles(4))
}

