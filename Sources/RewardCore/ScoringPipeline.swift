import Foundation

/// What `rewardkit score` reports at the end.
public struct ScoreSummary: Sendable {
    public var lines = 0
    public var scored = 0
    public var errors = 0
    public var pairs = 0
    public var pairsCorrect = 0
    public var reward = RunningStats()
    public var seconds = 0.0
    public var firstError: String?

    public init() {}

    public var json: JSONValue {
        var o = JSONObject()
        o["lines"] = .number(Double(lines))
        o["scored"] = .number(Double(scored))
        o["errors"] = .number(Double(errors))
        if reward.count > 0 {
            var r = JSONObject()
            r["mean"] = .number(reward.mean)
            r["std"] = .number(reward.std)
            r["min"] = .number(reward.min)
            r["max"] = .number(reward.max)
            o["reward"] = .object(r)
        }
        if pairs > 0 {
            o["pairs"] = .number(Double(pairs))
            o["pair_accuracy"] = .number(Double(pairsCorrect) / Double(pairs))
        }
        o["seconds"] = .number((seconds * 1000).rounded() / 1000)
        o["lines_per_second"] = .number(seconds > 0 ? (Double(lines) / seconds).rounded() : 0)
        return .object(o)
    }
}

/// Streams records through a reward function: reads a batch of lines, parses and
/// scores slices of it concurrently, writes results in input order. Memory is bounded
/// by the batch size, except with GRPO group normalization, which must see every
/// member of a group and so holds the results (not the inputs) until the end.
///
/// Output per line: the input fields, then `reward` and `rewards` (components); for
/// preference pairs `reward` is the margin r(chosen) − r(rejected) plus `reward_chosen`,
/// `reward_rejected`; `step_rewards` when a component gives them; `advantage` with group
/// normalization; on failure `reward: null` and `error` naming line and field.
public struct ScoringPipeline: Sendable {
    public var reward: any RewardFunction
    public var batchLines = 8192
    public var concurrency = ProcessInfo.processInfo.activeProcessorCount
    public var strict = false
    public var groupNormalization: GroupNormalization?
    public var includeDiagnostics = false

    public init(reward: any RewardFunction) { self.reward = reward }

    struct LineOutcome: Sendable {
        var number: Int
        /// The input line (a slice of its batch buffer), reused verbatim in the output.
        var raw: ArraySlice<UInt8>?
        /// The parsed line, kept only when the output may have to re-serialize it (`splice` false).
        var object: JSONObject?
        /// The line is an object with none of `additionKeys`: its output is `raw` with the additions
        /// spliced in, whatever they are.
        var splice = false
        /// The fields the output adds, unless `result` is set.
        var additions: [JSONMember]
        /// A scored single line's result: the added fields are written from it (`reward`, `rewards`,
        /// `step_rewards`, `diagnostics`), with no array of them made per line.
        var result: RewardResult?
        var reward: Double?
        var group: String?
        var error: String?
        var pairCorrect: Bool?

        /// The fields the output line adds: `additions`, or those written from `result`.
        func additions(diagnostics: Bool) -> [JSONMember] {
            guard let r = result else { return additions }
            // Sized once: appending to a one-element literal reallocated it for every line.
            var add: [JSONMember] = []
            add.reserveCapacity(4)
            ScoringPipeline.forEachResultField(r, diagnostics: diagnostics) { add.append(JSONMember($0, $1)) }
            return add
        }
    }

    /// A scored slice: its outcomes and, unless results are held for group normalization,
    /// its output lines already serialized by the worker (`ends[i]`: end of line i in `bytes`).
    struct ScoredSlice: Sendable {
        var outcomes: [LineOutcome]
        var bytes: [UInt8] = []
        var ends: [Int] = []
    }

    /// On a stop (a `--strict` error line, or an InputStreamError from a truncated input) the
    /// lines before the stop are written in full before the error is thrown, so the caller
    /// can close the sink and publish them: with `--strict` the output holds every line before
    /// the offending one, and not that line. With group normalization held lines are written
    /// without `advantage` on a stop (their groups may be incomplete).
    public func run(input: RecordInput, output: OutputSink, progress: ProgressReporter? = nil) async throws -> ScoreSummary {
        let clock = ContinuousClock.now
        var summary = ScoreSummary()
        var held: [LineOutcome] = []
        let holding = groupNormalization != nil
        // Output buffers go back to the workers once written.
        let buffers = BufferPool()
        let filter = keyFilter
        let stream = LineStream(batchLines: batchLines, concurrency: concurrency) { lines in
            var s = ScoredSlice(outcomes: try await self.scoreSlice(lines, filter: filter))
            if !holding {
                (s.bytes, s.ends) = Self.serialize(s.outcomes, diagnostics: self.includeDiagnostics, into: buffers)
                // Serialized: the inputs are not needed any more and are freed here, in the worker.
                for i in s.outcomes.indices {
                    s.outcomes[i].raw = nil; s.outcomes[i].object = nil; s.outcomes[i].additions = []; s.outcomes[i].result = nil
                }
            }
            return s
        }
        do {
            try await stream.run(input: input) { slice in
                // By index: `enumerated()` copied every outcome (retains and releases).
                for i in slice.outcomes.indices {
                    summary.lines += 1
                    if let e = slice.outcomes[i].error {
                        summary.errors += 1
                        if summary.firstError == nil { summary.firstError = e }
                        if strict {
                            if holding { held.append(contentsOf: slice.outcomes[..<i]) } else if i > 0 {
                                try output.write(slice.bytes[..<slice.ends[i - 1]])
                            }
                            throw ConfigError("\(e) (--strict: stopped here; the \(summary.lines - 1) lines before it were written)")
                        }
                    } else if let r = slice.outcomes[i].reward {
                        summary.scored += 1
                        summary.reward.add(r)
                        if let c = slice.outcomes[i].pairCorrect {
                            summary.pairs += 1
                            if c { summary.pairsCorrect += 1 }
                        }
                    }
                }
                if holding { held.append(contentsOf: slice.outcomes) } else {
                    try output.write(slice.bytes)
                    buffers.give(slice.bytes)
                }
                let frac = input.totalBytes.map { $0 > 0 ? Double(input.bytesRead) / Double($0) : 1 }
                progress?.update(done: summary.lines, fraction: frac)
            }
        } catch {
            if holding {
                var w = JSONWriter(capacity: 1 << 20)
                for o in held { Self.write(o, additions: o.additions(diagnostics: includeDiagnostics), into: &w) }
                try output.write(w.bytes)
            }
            throw error
        }
        if let gn = groupNormalization {
            let adv = gn.advantages(rewards: held.map { $0.reward ?? 0 }, groups: held.map { $0.error == nil && $0.pairCorrect == nil ? $0.group : nil })
            var w = JSONWriter(capacity: 1 << 20)
            for (i, o) in held.enumerated() {
                var add = o.additions(diagnostics: includeDiagnostics)
                if o.error == nil && o.pairCorrect == nil { add.append(JSONMember("advantage", .number(adv[i]))) }
                Self.write(o, additions: add, into: &w)
                if w.bytes.count > 1 << 20 { try output.write(w.bytes); w.bytes.removeAll(keepingCapacity: true) }
            }
            try output.write(w.bytes)
        }
        progress?.update(done: summary.lines, fraction: 1, force: true)
        progress?.finish()
        let d = ContinuousClock.now - clock
        summary.seconds = Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
        return summary
    }

    /// Output lines of `outcomes` and where each ends.
    static func serialize(_ outcomes: [LineOutcome], diagnostics: Bool, into pool: BufferPool? = nil) -> ([UInt8], [Int]) {
        let capacity = outcomes.reduce(0) { $0 + ($1.raw?.count ?? 64) } + outcomes.count * 96
        var w = JSONWriter(capacity: capacity, reusing: pool)
        var ends: [Int] = []
        ends.reserveCapacity(outcomes.count)
        // By index: `for o in` copied each outcome (a retain and a release of each of its fields).
        for i in outcomes.indices {
            if outcomes[i].splice, let r = outcomes[i].result, let raw = outcomes[i].raw,
               OutputLine.splice(raw: raw, into: &w, members: { Self.writeResult(r, diagnostics: diagnostics, first: &$1, into: &$0) })
            {
                ends.append(w.bytes.count)
                continue
            }
            write(outcomes[i], additions: outcomes[i].additions(diagnostics: diagnostics), into: &w)
            ends.append(w.bytes.count)
        }
        return (w.bytes, ends)
    }

    /// The fields a scored single line adds, in output order: `reward`, then `rewards`, `step_rewards` and
    /// `diagnostics` when there are any. One list for both ways an output line is made (members spliced
    /// after the raw input, or an array of them).
    @inline(__always)
    static func forEachResultField(_ r: RewardResult, diagnostics: Bool, _ body: (String, JSONValue) -> Void) {
        body("reward", .number(r.reward))
        if !r.components.isEmpty { body("rewards", .object(JSONObject(r.components))) }
        if let s = r.stepRewards { body("step_rewards", .array(s.map { .number($0) })) }
        if diagnostics, r.diagnostics.count > 0 { body("diagnostics", .object(r.diagnostics)) }
    }

    /// The fields of a result (`forEachResultField`), written as members.
    @inline(__always)
    static func writeResult(_ r: RewardResult, diagnostics: Bool, first: inout Bool, into w: inout JSONWriter) {
        forEachResultField(r, diagnostics: diagnostics) { OutputLine.member($0, $1, first: &first, into: &w) }
    }

    /// The output line of `o` with `additions`.
    @inline(__always)
    static func write(_ o: LineOutcome, additions: [JSONMember], into w: inout JSONWriter) {
        if o.splice, let raw = o.raw, OutputLine.splice(raw: raw, additions: additions, into: &w) { return }
        OutputLine.make(raw: o.raw, object: o.object, additions: additions, into: &w)
    }

    /// Scores one batch in slices, concurrently, in input order (for callers that hold lines).
    func scoreBatch(_ lines: [InputLine]) async throws -> [LineOutcome] {
        let ranges = LineStream<Int>.slices(count: lines.count, workers: concurrency, minLines: 256)
        let filter = keyFilter
        return try await withThrowingTaskGroup(of: (Int, [LineOutcome]).self) { g in
            for (k, r) in ranges.enumerated() {
                let slice = Array(lines[r])
                g.addTask { (k, try await self.scoreSlice(slice, filter: filter)) }
            }
            var parts = [[LineOutcome]](repeating: [], count: ranges.count)
            for try await (k, r) in g { parts[k] = r }
            return parts.flatMap { $0 }
        }
    }

    /// Keys a result may add to an output line (built on a filtered parse, so a line that
    /// already has one is parsed whole and re-serialized with it replaced).
    static let additionKeys: Set<String> = ["reward", "rewards", "error", "reward_chosen", "reward_rejected", "rewards_chosen",
                                            "rewards_rejected", "step_rewards", "diagnostics", "advantage"]

    /// `additionKeyShapes[PlainKey.shape(k)]`: some addition key has that shape. Derived from
    /// `additionKeys`, so the two cannot drift apart.
    static let additionKeyShapes: [Bool] = {
        var t = [Bool](repeating: false, count: (additionKeys.map(\.utf8.count).max()! + 1) * 256)
        for k in additionKeys { t[PlainKey.shape(k)] = true }
        return t
    }()

    /// Whether `key` is one of `additionKeys` (all plain), mostly without hashing: this runs for every
    /// member of every line.
    @inline(__always)
    static func isAdditionKey(_ key: String) -> Bool {
        let i = PlainKey.shape(key)
        return i < additionKeyShapes.count && additionKeyShapes[i] && additionKeys.contains(key)
    }

    /// Only what the decoder and the reward read is built; the rest of each line is validated.
    var keyFilter: JSONKeyFilter? {
        RecordDecoder.keyFilter(reading: reward.readsFields, extra: Self.additionKeys, groups: groupNormalization != nil)
    }

    /// `filter` is `keyFilter`, made once per run rather than once per slice.
    func scoreSlice(_ lines: [InputLine], filter: JSONKeyFilter?) async throws -> [LineOutcome] {
        var outcomes: [LineOutcome] = []
        outcomes.reserveCapacity(lines.count)
        var samples: [Sample] = []
        samples.reserveCapacity(lines.count)
        // For each outcome, the index of its first sample and whether it is a pair.
        var slots: [(outcome: Int, first: Int, pair: Bool)] = []
        slots.reserveCapacity(lines.count)
        let groups = groupNormalization != nil
        for line in lines {
            var o = LineOutcome(number: line.number, raw: line.slice, object: nil, additions: [])
            do {
                var obj: JSONObject
                var replaces: Bool
                do {
                    obj = try line.object(filter: filter)
                    replaces = obj.members.contains(where: { Self.isAdditionKey($0.key) })
                    if filter != nil, replaces { obj = try line.object() }
                } catch let e as RecordError {
                    // Unparseable (or over-long) lines keep only their line number.
                    o.raw = nil
                    o.object = ["line": .number(Double(line.number))]
                    throw e
                }
                // A line without any key a result may add is output as its own bytes plus the additions
                // (checked here, once per line, instead of each addition against each member), and
                // its object is not kept: only the decoded samples hold it, while they are scored.
                if replaces { o.object = obj } else { o.splice = true }
                let first = samples.count
                let pair = try RecordDecoder.decode(obj, line: line.number, appendingTo: &samples)
                slots.append((outcomes.count, first, pair))
                if groups, !pair { o.group = samples[first].group }
            } catch let e as RecordError {
                o.error = e.description
                o.additions = [JSONMember("reward", .null), JSONMember("error", .string(e.description))]
            }
            outcomes.append(o)
        }
        guard !samples.isEmpty else { return outcomes }
        let results = try await reward.score(samples, context: .empty)
        for slot in slots { fill(&outcomes[slot.outcome], slot: slot, results: results) }
        return outcomes
    }

    /// Sets a line's reward fields from its samples' results, in place (copying the outcome out and
    /// back retained and released each of its members).
    private func fill(_ o: inout LineOutcome, slot: (outcome: Int, first: Int, pair: Bool), results: [RewardResult]) {
        if slot.pair {
            let c = results[slot.first], r = results[slot.first + 1]
            if let e = c.error ?? r.error {
                let which = c.error != nil ? "chosen" : "rejected"
                o.error = RecordError(line: o.number, field: which, e).description
                o.additions = [JSONMember("reward", .null), JSONMember("error", .string(o.error!))]
            } else {
                let margin = c.reward - r.reward
                o.reward = margin
                o.pairCorrect = margin > 0
                o.additions = [JSONMember("reward", .number(margin)), JSONMember("reward_chosen", .number(c.reward)),
                               JSONMember("reward_rejected", .number(r.reward))]
                if !c.components.isEmpty {
                    o.additions.append(JSONMember("rewards_chosen", .object(JSONObject(c.components))))
                    o.additions.append(JSONMember("rewards_rejected", .object(JSONObject(r.components))))
                }
            }
        } else {
            let r = results[slot.first]
            if let e = r.error {
                o.error = "line \(o.number): \(e)"
                o.additions = [JSONMember("reward", .null), JSONMember("error", .string(o.error!))]
            } else {
                o.reward = r.reward
                o.result = r
            }
        }
    }
}
