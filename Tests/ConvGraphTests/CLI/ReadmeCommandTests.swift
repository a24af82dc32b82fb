import Foundation
import Testing
import ConvGraph

/// Runs every `convgraph …` line of README.md's shell blocks, in order, in a scratch copy of
/// the files the README names, and checks each exit code: 0, or the `# exits N` its comment
/// states. So the README cannot show a command that does not work.
@Suite(.serialized) struct ReadmeCommandTests {
    struct Command: CustomStringConvertible {
        var line: Int
        var text: String
        var arguments: [String]
        var expectedStatus: Int32
        var description: String { "README.md:\(line): \(text)" }
    }

    /// Splits a shell line into words (single and double quotes, backslash escapes) and the
    /// comment after an unquoted `#` that starts a word.
    static func shellWords(_ line: String) -> (words: [String], comment: String)? {
        var words: [String] = [], word = "", inWord = false
        var quote: Character? = nil
        var chars = Array(line)[...]
        while let c = chars.popFirst() {
            if let q = quote {
                if c == q { quote = nil } else if c == "\\" && q == "\"", let next = chars.popFirst() { word.append(next) } else { word.append(c) }
            } else if c == "'" || c == "\"" {
                quote = c; inWord = true
            } else if c == "\\", let next = chars.popFirst() {
                word.append(next); inWord = true
            } else if c == " " || c == "\t" {
                if inWord { words.append(word); word = ""; inWord = false }
            } else if c == "#" && !inWord {
                return (words, String(chars))
            } else if "|;&<>`$(".contains(c) {
                return nil   // pipes, redirections and substitutions are not plain commands
            } else {
                word.append(c); inWord = true
            }
        }
        guard quote == nil else { return nil }
        if inWord { words.append(word) }
        return (words, "")
    }

    /// The `convgraph` lines of README.md's shell code blocks.
    static func commands() throws -> [Command] {
        let text = try String(contentsOfFile: CLIProcess.root + "/README.md", encoding: .utf8)
        var commands: [Command] = []
        var fence: String? = nil
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("```") {
                fence = fence == nil ? String(line.dropFirst(3)) : nil
                continue
            }
            guard let language = fence, ["sh", "bash", "shell", "console", ""].contains(language), line.contains("convgraph") else { continue }
            guard let (words, comment) = shellWords(line) else {
                Issue.record("README.md:\(index + 1): a convgraph line must be a plain command (no pipes, redirections or substitutions): \(line)")
                continue
            }
            var arguments = words[...]
            if arguments.starts(with: ["swift", "run", "convgraph"]) {
                arguments = arguments.dropFirst(3)
            } else if arguments.starts(with: ["swift", "run", "-c", "release", "convgraph"]) {
                arguments = arguments.dropFirst(5)
            } else if let first = arguments.first, first == "convgraph" || first.hasSuffix("/convgraph") {
                arguments = arguments.dropFirst()
            } else {
                continue   // a line that only mentions convgraph (a script taking --exe, say)
            }
            var status: Int32 = 0
            if let range = comment.range(of: #"exits (\d+)"#, options: .regularExpression) {
                status = Int32(comment[range].split(separator: " ")[1])!
            }
            commands.append(Command(line: index + 1, text: line, arguments: Array(arguments), expectedStatus: status))
        }
        return commands
    }

    /// A scratch directory holding copies of what the README's commands read.
    static func workspace() throws -> String {
        let dir = try CLIProcess.makeTemporaryDirectory("convgraph-readme")
        let fm = FileManager.default
        for path in ["Graphs", "Benchmarks/Graphs", "Examples/data", "Examples/digits"] {
            let target = dir + "/" + path
            try fm.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try fm.copyItem(atPath: CLIProcess.root + "/" + path, toPath: target)
        }
        return dir
    }

    @Test("the README shows the main job and the op reference")
    func readmeHasTheCommands() throws {
        let commands = try Self.commands()
        #expect(commands.contains { $0.text.hasPrefix("swift run -c release convgraph train Examples/digits/digits.yaml") })
        #expect(commands.contains { $0.arguments.first == "ops" })
        #expect(commands.count >= 10, "\(commands)")
    }

    @Test("every whole graph shown in the README and the DocC articles is valid",
          arguments: ["README.md", "Sources/ConvGraph/ConvGraph.docc/GraphFileFormat.md"])
    func yamlExamplesParse(file: String) throws {
        let text = try String(contentsOfFile: CLIProcess.root + "/" + file, encoding: .utf8)
        var graphs = 0
        for (i, block) in text.components(separatedBy: "```yaml\n").dropFirst().enumerated() {
            let yaml = block.components(separatedBy: "```")[0]
            guard yaml.hasPrefix("nodes:") || yaml.contains("\nnodes:") else { continue }   // a fragment
            graphs += 1
            #expect(throws: Never.self, "\(file), YAML block \(i + 1)") { try Graph.parse(yaml: yaml, path: "\(file).yaml") }
        }
        #expect(graphs >= 1)
    }

    @Test("every convgraph command of the README exits as the README says")
    func everyCommandRuns() throws {
        let dir = try Self.workspace()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for command in try Self.commands() {
            // Training the digits takes about 15 s in a debug build: run once, not under a
            // sanitizer (CI trains them in its end-to-end check).
            if CLIProcess.sanitizer != nil, command.arguments.contains("Examples/digits/digits.yaml") { continue }
            let outcome = try CLIProcess.run(command.arguments, in: dir, timeout: 180)
            #expect(outcome.status == command.expectedStatus,
                    "\(command): \(outcome.summary), expected exit \(command.expectedStatus)\n\(outcome.stderr)")
        }
    }
}
