/// Decoding of the `train` section (SPEC §10): every key strictly typed and range-checked
/// at its position, unknown keys reported with a did-you-mean note, every independent error
/// collected. Node names in `data` and `eval.data` are resolved later, by the builder.
extension GraphFileDecoder {
    static let trainKeys = ["data", "epochs", "steps", "shuffle", "seed", "optimizer", "schedule", "eval", "checkpoint", "log"]
    static let optimizerNames = ["sgd", "adam", "adamw"]
    static let sgdKeys = ["lr", "momentum", "nesterov", "weight_decay"]
    static let adamKeys = ["lr", "betas", "eps", "weight_decay"]
    static let scheduleNames = ["constant", "multistep", "cosine"]
    static let multistepKeys = ["milestones", "gamma"]
    static let cosineKeys = ["warmup", "min_lr"]
    static let evalKeys = ["data", "every"]
    static let checkpointKeys = ["every", "keep"]
    static let logKeys = ["every"]

    /// The keys a mapping at `path` inside `train` may hold (`[]` is `train` itself), for
    /// `--set`; `nil` when the path is not a fixed mapping of the section (`data` holds
    /// node names).
    static func trainKeys(at path: [String]) -> [String]? {
        switch path {
        case []: trainKeys
        case ["optimizer"]: optimizerNames
        case ["optimizer", "sgd"]: sgdKeys
        case ["optimizer", "adam"], ["optimizer", "adamw"]: adamKeys
        case ["schedule"]: scheduleNames
        case ["schedule", "constant"]: []
        case ["schedule", "multistep"]: multistepKeys
        case ["schedule", "cosine"]: cosineKeys
        case ["eval"]: evalKeys
        case ["checkpoint"]: checkpointKeys
        case ["log"]: logKeys
        default: nil
        }
    }

    /// Decodes `train:` (written at `keyLocation`). `nil` only when it is not a mapping;
    /// otherwise a section whose broken values fell back to defaults (the errors are in
    /// `diagnostics`), so the builder can still check the names it holds.
    mutating func decodeTrain(_ node: YAMLNode, at keyLocation: SourceLocation) -> TrainSection? {
        guard let pairs = node.pairs else {
            error("'train' takes a mapping with 'data', 'epochs' or 'steps', and 'optimizer', not \(node.kindDescription)", at: node.location)
            return nil
        }
        checkKeys(pairs, allowed: Self.trainKeys, context: "'train'")

        var data: [TrainSection.DataFile] = []
        if let dataNode = node["data"] {
            data = decodeDataFiles(dataNode, key: "data", part: "data")
        } else {
            error("'train' needs 'data', a mapping of input nodes to .npy files", at: keyLocation,
                  notes: [.init("as in data: {image: train-x.npy, label: train-y.npy}")])
            trainIncomplete.insert("data")
        }

        // Exactly one of `epochs` and `steps`.
        var length = TrainSection.Length.epochs(1)
        var lengthLocation = keyLocation
        let lengthPairs = pairs.filter { $0.key == "epochs" || $0.key == "steps" }
        if lengthPairs.count > 1 {
            error("'train' takes 'epochs' or 'steps', not both", at: lengthPairs[1].keyLocation,
                  notes: [.init("'\(lengthPairs[0].key)' is written here", at: lengthPairs[0].keyLocation)])
        } else if let pair = lengthPairs.first {
            lengthLocation = pair.value.location
            if let n = ValueReader.int(pair.value, key: pair.key, minimum: 1, into: &diagnostics) {
                length = pair.key == "epochs" ? .epochs(n) : .steps(n)
            }
        } else {
            error("'train' needs 'epochs' or 'steps', how long to train", at: keyLocation)
        }

        let shuffle = node["shuffle"].flatMap { bool($0, key: "shuffle") } ?? true
        let seed = node["seed"].flatMap { ValueReader.seed($0, key: "seed", into: &diagnostics) }

        var optimizer = OptimizerSpec.sgd(lr: 0.1, momentum: 0, nesterov: false, weightDecay: 0)
        var optimizerLocation = keyLocation
        if let optimizerNode = node["optimizer"] {
            optimizerLocation = optimizerNode.location
            optimizer = decodeOptimizer(optimizerNode) ?? optimizer
        } else {
            error("'train' needs 'optimizer', such as {sgd: {lr: 0.1}} or {adam: {lr: 0.001}}", at: keyLocation)
        }

        var section = TrainSection(location: keyLocation, data: data, length: length, lengthLocation: lengthLocation,
                                   shuffle: shuffle, seed: seed, optimizer: optimizer, optimizerLocation: optimizerLocation,
                                   schedule: .constant, scheduleLocation: nil, evalData: nil, evalEvery: 1,
                                   checkpointEvery: 1, checkpointKeep: 2, logEvery: 10)
        section.dataLocation = node["data"]?.location
        if let scheduleNode = node["schedule"] {
            section.scheduleLocation = scheduleNode.location
            decodeSchedule(scheduleNode, into: &section)
        }
        if case .cosine(let warmup, _) = section.schedule, case .steps(let steps) = section.length, warmup >= steps {
            error("'warmup' (\(warmup) steps) must be less than the \(steps) training steps", at: section.warmupLocation ?? keyLocation,
                  notes: [.init("'steps' is written here", at: section.lengthLocation)])
        }

        if let evalNode = node["eval"] {
            if let evalPairs = evalNode.pairs {
                checkKeys(evalPairs, allowed: Self.evalKeys, context: "'train.eval'")
                if let d = evalNode["data"] {
                    section.evalData = decodeDataFiles(d, key: "data", part: "eval.data")
                    section.evalDataLocation = d.location
                } else {
                    error("'eval' needs 'data', a mapping of the same input nodes as 'train.data' to .npy files", at: evalNode.location)
                    trainIncomplete.insert("eval.data")
                }
                section.evalEvery = evalNode["every"].flatMap { ValueReader.int($0, key: "every", minimum: 1, into: &diagnostics) } ?? 1
            } else {
                error("'eval' takes a mapping with 'data' and 'every', not \(evalNode.kindDescription)", at: evalNode.location)
                trainIncomplete.insert("eval.data")
            }
        }
        if let checkpointNode = node["checkpoint"], optionalMapping(checkpointNode, key: "checkpoint", allowed: Self.checkpointKeys) != nil {
            section.checkpointEvery = checkpointNode["every"].flatMap { ValueReader.int($0, key: "every", minimum: 1, into: &diagnostics) } ?? 1
            section.checkpointKeep = checkpointNode["keep"].flatMap { ValueReader.int($0, key: "keep", minimum: 1, into: &diagnostics) } ?? 2
        }
        if let logNode = node["log"], optionalMapping(logNode, key: "log", allowed: Self.logKeys) != nil {
            section.logEvery = logNode["every"].flatMap { ValueReader.int($0, key: "every", minimum: 1, into: &diagnostics) } ?? 10
        }
        return section
    }

    /// The pairs of a mapping whose keys all have defaults (`null` reads as `{}`), after
    /// checking them against `allowed`; `nil` (and an error) for any other value.
    mutating func optionalMapping(_ node: YAMLNode, key: String, allowed: [String]) -> [YAMLNode.Pair]? {
        if let pairs = node.pairs {
            checkKeys(pairs, allowed: allowed, context: "'\(key)'")
            return pairs
        }
        if case .null = node.resolved, node.elements == nil { return [] }
        error("'\(key)' takes a mapping with \(allowed.map { "'\($0)'" }.joined(separator: ", ")), not \(node.kindDescription)", at: node.location)
        return nil
    }

    /// `true` or `false`.
    mutating func bool(_ node: YAMLNode, key: String) -> Bool? {
        guard node.pairs == nil, node.elements == nil, case .bool(let b) = node.resolved else {
            error("'\(key)' takes true or false, not \(node.kindDescription)", at: node.location)
            return nil
        }
        return b
    }

    /// A finite number in a range: above (or at least) `minimum`, below `maximum`.
    mutating func number(_ node: YAMLNode, key: String, greaterThan lower: Double? = nil, atLeast minimum: Double? = nil,
                         below upper: Double? = nil) -> Double? {
        guard let value = ValueReader.double(node, key: key, into: &diagnostics) else { return nil }
        let range: String
        switch (lower, minimum, upper) {
        case (_, let lo?, let hi?): range = "in [\(Self.short(lo)), \(Self.short(hi)))"
        case (let lo?, _, _): range = "greater than \(Self.short(lo))"
        case (_, let lo?, _): range = "at least \(Self.short(lo))"
        default: range = ""
        }
        if let lower, !(value > lower) || (upper.map { value >= $0 } ?? false) {
            error("'\(key)' must be \(range), not \(Self.short(value))", at: node.location)
            return nil
        }
        if let minimum, !(value >= minimum) || (upper.map { value >= $0 } ?? false) {
            error("'\(key)' must be \(range), not \(Self.short(value))", at: node.location)
            return nil
        }
        return value
    }

    /// `0.9`, `1e-08`, `3` — a number as a message shows it.
    static func short(_ x: Double) -> String {
        if x == x.rounded(), abs(x) < 1e15 { return String(Int(x)) }
        return "\(x)"
    }

    /// A mapping of input node names to `.npy` paths (`data`, `eval.data`).
    mutating func decodeDataFiles(_ node: YAMLNode, key: String, part: String) -> [TrainSection.DataFile] {
        guard let pairs = node.pairs, !pairs.isEmpty else {
            error("'\(part)' takes a mapping of input nodes to .npy files, such as {image: train-x.npy}, not \(node.kindDescription == "a mapping" ? "an empty mapping" : node.kindDescription)",
                  at: node.location)
            trainIncomplete.insert(part)
            return []
        }
        var files: [TrainSection.DataFile] = []
        for pair in pairs {
            guard let path = ValueReader.string(pair.value, key: "\(part).\(pair.key)", into: &diagnostics) else {
                trainIncomplete.insert(part)
                continue
            }
            guard !path.isEmpty else {
                error("'\(part).\(pair.key)' takes the path of a .npy file, not an empty string", at: pair.value.location)
                trainIncomplete.insert(part)
                continue
            }
            files.append(.init(node: GraphFile.Name(text: pair.key, location: pair.keyLocation), path: path, pathLocation: pair.value.location))
        }
        return files
    }

    /// The one pair of a mapping whose key is among `names` (`optimizer`, `schedule`), with
    /// errors for unknown names and for more than one.
    mutating func singleChoice(_ pairs: [YAMLNode.Pair], names: [String], what: String, key: String,
                               at location: SourceLocation) -> YAMLNode.Pair? {
        for pair in pairs where !names.contains(pair.key) {
            error("unknown \(what) '\(NameRules.printable(pair.key))'", at: pair.keyLocation,
                  notes: Diagnostic.didYouMean(pair.key, among: names) + [.init("\(what)s are \(names.joined(separator: ", "))")])
        }
        let known = pairs.filter { names.contains($0.key) }
        if known.count > 1 {
            error("'\(key)' takes exactly one of \(names.joined(separator: ", ")), not both '\(known[0].key)' and '\(known[1].key)'",
                  at: known[1].keyLocation, notes: [.init("'\(known[0].key)' is written here", at: known[0].keyLocation)])
            return nil
        }
        if known.isEmpty && pairs.isEmpty {
            error("'\(key)' takes one of \(names.joined(separator: ", ")), not an empty mapping", at: location)
        }
        return known.first
    }

    mutating func decodeOptimizer(_ node: YAMLNode) -> OptimizerSpec? {
        guard let pairs = node.pairs else {
            var notes: [Diagnostic.Note] = []
            if case .string(let s) = node.resolved, node.elements == nil {
                notes = Self.optimizerNames.contains(s) ? [.init("write it as a mapping: {\(s): {lr: …}}")]
                                                        : Diagnostic.didYouMean(s, among: Self.optimizerNames)
            }
            error("'optimizer' takes a mapping with one of sgd, adam, adamw, such as {sgd: {lr: 0.1}}, not \(node.kindDescription)",
                  at: node.location, notes: notes)
            return nil
        }
        guard let choice = singleChoice(pairs, names: Self.optimizerNames, what: "optimizer", key: "optimizer", at: node.location) else { return nil }
        let body = choice.value
        if choice.key == "sgd" {
            guard let sgd = body.pairs else {
                error("'sgd' takes a mapping with 'lr' (required), 'momentum', 'nesterov', 'weight_decay', not \(body.kindDescription)",
                      at: body.location)
                return nil
            }
            checkKeys(sgd, allowed: Self.sgdKeys, context: "'sgd'")
            var ok = true
            var lr = 0.1
            if let n = body["lr"] {
                if let v = number(n, key: "lr", greaterThan: 0) { lr = v } else { ok = false }
            } else {
                error("'sgd' needs 'lr', the learning rate", at: choice.keyLocation)
                ok = false
            }
            var momentum = 0.0
            var momentumOK = true
            if let n = body["momentum"] {
                if let v = number(n, key: "momentum", atLeast: 0, below: 1) { momentum = v } else { ok = false; momentumOK = false }
            }
            var nesterov = false
            if let n = body["nesterov"] {
                if let v = bool(n, key: "nesterov") { nesterov = v } else { ok = false }
                if nesterov, momentumOK, momentum == 0 {
                    error("'nesterov: true' needs 'momentum' greater than 0", at: n.location,
                          notes: [body["momentum"].map { .init("'momentum' is \(Self.short(momentum)) here", at: $0.location) }
                                  ?? .init("'momentum' defaults to 0")])
                    ok = false
                }
            }
            var weightDecay = 0.0
            if let n = body["weight_decay"] {
                if let v = number(n, key: "weight_decay", atLeast: 0) { weightDecay = v } else { ok = false }
            }
            return ok ? .sgd(lr: lr, momentum: momentum, nesterov: nesterov, weightDecay: weightDecay) : nil
        }
        let decoupled = choice.key == "adamw"
        guard optionalMapping(body, key: choice.key, allowed: Self.adamKeys) != nil else { return nil }
        var ok = true
        var lr = 0.001
        if let n = body["lr"] {
            if let v = number(n, key: "lr", greaterThan: 0) { lr = v } else { ok = false }
        }
        var betas = (0.9, 0.999)
        if let n = body["betas"] {
            if let list = n.elements, list.count == 2 {
                let b = list.map { number($0, key: "betas", atLeast: 0, below: 1) }
                if let b1 = b[0], let b2 = b[1] { betas = (b1, b2) } else { ok = false }
            } else {
                error("'betas' takes a list of two numbers in [0, 1), such as [0.9, 0.999], not \(n.elements.map { "a list of \($0.count)" } ?? n.kindDescription)",
                      at: n.location)
                ok = false
            }
        }
        var eps = 1e-8
        if let n = body["eps"] {
            if let v = number(n, key: "eps", greaterThan: 0) { eps = v } else { ok = false }
        }
        var weightDecay = decoupled ? 0.01 : 0
        if let n = body["weight_decay"] {
            if let v = number(n, key: "weight_decay", atLeast: 0) { weightDecay = v } else { ok = false }
        }
        return ok ? .adam(lr: lr, beta1: betas.0, beta2: betas.1, eps: eps, weightDecay: weightDecay, decoupled: decoupled) : nil
    }

    /// `constant` (or `cosine`, all defaults), or a mapping with one of constant,
    /// multistep, cosine. Sets `schedule` and the positions of its values.
    mutating func decodeSchedule(_ node: YAMLNode, into section: inout TrainSection) {
        if node.pairs == nil, node.elements == nil, case .string(let s) = node.resolved {
            switch s {
            case "constant": section.schedule = .constant
            case "cosine": section.schedule = .cosine(warmup: 0, minLR: 0)
            case "multistep":
                error("'multistep' needs 'milestones', as in {multistep: {milestones: [30, 60], gamma: 0.1}}", at: node.location)
            default:
                error("unknown schedule '\(NameRules.printable(s))'", at: node.location,
                      notes: Diagnostic.didYouMean(s, among: Self.scheduleNames) + [.init("schedules are \(Self.scheduleNames.joined(separator: ", "))")])
            }
            return
        }
        guard let pairs = node.pairs else {
            error("'schedule' takes 'constant' or a mapping with one of constant, multistep, cosine, not \(node.kindDescription)", at: node.location)
            return
        }
        guard let choice = singleChoice(pairs, names: Self.scheduleNames, what: "schedule", key: "schedule", at: node.location) else { return }
        let body = choice.value
        switch choice.key {
        case "constant":
            if body.pairs?.isEmpty == true { return }
            if case .null = body.resolved, body.pairs == nil, body.elements == nil { return }
            error("'constant' takes no settings, not \(body.kindDescription)", at: body.location)
        case "multistep":
            guard let p = body.pairs else {
                error("'multistep' takes a mapping with 'milestones' (required) and 'gamma', not \(body.kindDescription)", at: body.location)
                return
            }
            checkKeys(p, allowed: Self.multistepKeys, context: "'multistep'")
            var ok = true
            var milestones: [Int] = []
            if let m = body["milestones"] {
                section.milestonesLocation = m.location
                if let list = m.elements {
                    for item in list {
                        guard let epoch = ValueReader.int(item, key: "milestones", minimum: 1, into: &diagnostics) else { ok = false; continue }
                        if let last = milestones.last, epoch <= last {
                            error("'milestones' must be strictly increasing, but \(epoch) follows \(last)", at: item.location)
                            ok = false
                        }
                        milestones.append(epoch)
                    }
                } else {
                    error("'milestones' takes a list of epochs such as [30, 60], not \(m.kindDescription)", at: m.location)
                    ok = false
                }
            } else {
                error("'multistep' needs 'milestones', the epochs at which lr is multiplied by gamma", at: choice.keyLocation)
                ok = false
            }
            var gamma = 0.1
            if let g = body["gamma"] {
                if let v = number(g, key: "gamma", greaterThan: 0) { gamma = v } else { ok = false }
            }
            if ok { section.schedule = .multistep(milestones: milestones, gamma: gamma) }
        default:
            guard optionalMapping(body, key: "cosine", allowed: Self.cosineKeys) != nil else { return }
            var ok = true
            var warmup = 0
            if let w = body["warmup"] {
                section.warmupLocation = w.location
                if let v = ValueReader.int(w, key: "warmup", minimum: 0, into: &diagnostics) { warmup = v } else { ok = false }
            }
            var minLR = 0.0
            if let m = body["min_lr"] {
                if let v = number(m, key: "min_lr", atLeast: 0) { minLR = v } else { ok = false }
            }
            if ok { section.schedule = .cosine(warmup: warmup, minLR: minLR) }
        }
    }
}
