import ArgumentParser
import Foundation
import RewardCore
import RewardEngine
import RewardSearch
import RewardVerifiers

/// `rewardkit search`: reward-guided test-time search per problem (best-of-N with voting, step beam
/// search, DVTS, REBASE, MCTS) on the local engine or an OpenAI-compatible server. One output line per
/// problem; resumable (problems whose id is already in --out without an error are skipped).
struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Reward-guided test-time search (best_of_n, beam, dvts, rebase, mcts); JSONL problems in, one result line per problem out."
    )

    @Option(help: "best_of_n | beam | dvts | rebase | mcts")
    var method: String = "best_of_n"

    @Option(name: .customLong("in"), help: "Problems: JSONL with `id`, `prompt` (or `question`/`problem`) and optional `reference`.")
    var input: String

    @Option(name: .long, help: "Output JSONL (appended to; rerunning skips finished ids).")
    var out: String

    @Option(name: .short, help: "Budget N: samples (BoN), beams, DVTS completions, REBASE width, MCTS iterations.")
    var n: Int = 16

    @Option(help: "Beam width M (children per kept beam / DVTS subtree width / MCTS branching).")
    var beamWidth: Int = 4

    @Option(help: "Token budget of one completion.")
    var maxTokens: Int = 512

    @Option(help: "Token budget of one step.")
    var stepTokens: Int = 128

    @Option(help: "Rounds before a last round that samples to the end.")
    var maxSteps: Int = 12

    @Option(help: "Sampling temperature.")
    var temperature: Float = 0.8

    @Option(help: "Top-p (1 = off).")
    var topP: Float = 1

    @Option(help: "Run seed; each sample's seed derives from (seed, problem id, node, index).")
    var seed: UInt64 = 0

    @Option(help: "Reward spec YAML whose reward gives step scores (prm, math_steps, implicit_prm, judge…). Default: math_steps.")
    var config: String?

    @Option(help: "Solution score from step scores: last | min | prod | mean.")
    var aggregation: String = "last"

    @Flag(help: "prm / implicit_prm: score each node by re-reading its whole path (search-and-learn's way) instead of reusing the parent's KV.")
    var fullPrmRescoring = false

    @Option(help: "Answer pick: naive | majority | weighted.")
    var pick: String = "weighted"

    /// --backend, --model, --base-url, --model-name, --chat-template, --endpoint, --chat-continuation, --batch, …
    @OptionGroup var generatorOptions: GeneratorOptions

    @Option(help: "Text prepended to each question (e.g. the answer format).")
    var instruction: String?

    @Flag(help: "Write the compact search tree in each record.")
    var trace = false

    func validate() throws {
        guard SearchRecord.methods()[method] != nil else { throw ValidationError("--method must be one of best_of_n, beam, dvts, rebase, mcts") }
        guard n >= 1, beamWidth >= 1, maxTokens >= 1, stepTokens >= 1, maxSteps >= 0 else {
            throw ValidationError("-n, --beam-width, --max-tokens, --step-tokens must be ≥ 1 (--max-steps ≥ 0)")
        }
        guard SolutionAggregation(rawValue: aggregation) != nil else { throw ValidationError("--aggregation must be last, min, prod or mean") }
        guard AnswerPick(rawValue: pick) != nil else { throw ValidationError("--pick must be naive, majority or weighted") }
        guard out != "-" else { throw ValidationError("--out must be a file (it is appended to and read back to resume)") }
    }

    func run() async throws {
        let method = SearchRecord.methods()[self.method]!
        // The generator.
        let made = try generatorOptions.makeGenerator()
        let generator = made.generator, countTokens = made.countTokens
        // The step scorer.
        let reward: any RewardFunction
        if let c = config { reward = try StandardRegistry.load(specPath: c).1 } else { reward = MathStepsReward() }
        let scorer = StepScorer(reward: reward, aggregation: SolutionAggregation(rawValue: aggregation)!,
                                incrementalPRM: !fullPrmRescoring, countTokens: countTokens)
        var cfg = SearchConfig()
        cfg.n = n; cfg.beamWidth = beamWidth; cfg.maxTokens = maxTokens; cfg.stepTokens = stepTokens; cfg.maxSteps = maxSteps
        cfg.temperature = temperature; cfg.topP = topP; cfg.seed = seed; cfg.pick = AnswerPick(rawValue: pick)!

        let done = try Self.finishedIDs(out)
        let input = try RecordInput(path: self.input)
        var lines: [InputLine] = []
        while true {
            let b = try input.nextBatch(max: 1024)
            if b.isEmpty { break }
            lines += b
        }
        let sink = try Self.appender(out)
        defer { try? sink.close() }
        let progress = ProgressReporter(label: "search \(self.method)")
        var solved = 0, errors = 0, skipped = 0, correct = 0, withRef = 0, tokens = 0
        let start = Date()
        for (k, line) in lines.enumerated() {
            var record: JSONObject
            do {
                let o = try line.object()
                let id = SearchRecord.id(o, line: line.number)
                if done.contains(id) { skipped += 1; continue }
                do {
                    let q = try SearchRecord.question(o)
                    let text = (instruction.map { $0 + "\n\n" } ?? "") + q
                    let prompt = generator.renderPrompt(system: nil, user: text) ?? text
                    let ref = SearchRecord.reference(o)
                    let r = try await method.search(SearchProblem(id: id, question: text, prompt: prompt, reference: ref),
                                                    generator: generator, scorer: scorer, config: cfg)
                    record = SearchRecord.output(o, id: id, result: r, reference: ref, trace: trace)
                    solved += 1
                    tokens += r.stats.generatedTokens
                    if ref != nil { withRef += 1; if record["correct"]?.boolValue == true { correct += 1 } }
                } catch let e as SearchError {
                    record = ["id": o["id"] ?? .string(id), "line": .number(Double(line.number)), "error": .string(e.description)]
                    errors += 1
                } catch let e as BackendUnavailable {
                    record = ["id": o["id"] ?? .string(id), "line": .number(Double(line.number)), "error": .string(e.description)]
                    errors += 1
                }
            } catch let e as RecordError {
                record = ["line": .number(Double(line.number)), "error": .string(e.description)]
                errors += 1
            }
            var w = JSONWriter()
            w.write(.object(record))
            w.bytes.append(0x0A)
            try sink.write(contentsOf: Data(w.bytes))
            progress.update(done: k + 1, fraction: Double(k + 1) / Double(max(lines.count, 1)))
        }
        progress.finish()
        let secs = Date().timeIntervalSince(start)
        var s = JSONObject()
        s["method"] = .string(self.method)
        s["generator"] = .string(generator.name)
        s["solved"] = .number(Double(solved))
        s["skipped"] = .number(Double(skipped))
        s["errors"] = .number(Double(errors))
        if withRef > 0 { s["accuracy"] = .number((Double(correct) / Double(withRef) * 10000).rounded() / 10000) }
        s["generated_tokens"] = .number(Double(tokens))
        s["seconds"] = .number((secs * 100).rounded() / 100)
        FileHandle.standardError.write(Data(("summary: " + JSONValue.object(s).jsonString + "\n").utf8))
    }

    /// Ids already written without an error (unreadable lines are ignored: they are retried).
    static func finishedIDs(_ path: String) throws -> Set<String> {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        let input = try RecordInput(path: path)
        var ids = Set<String>()
        while true {
            let b = try input.nextBatch(max: 1024)
            if b.isEmpty { break }
            for l in b {
                guard let o = try? l.object(), o["error"] == nil, let v = o["id"] else { continue }
                ids.insert(v.stringValue ?? SearchRecord.id(o, line: l.number))
            }
        }
        return ids
    }

    static func appender(_ path: String) throws -> FileHandle {
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else { throw ConfigError("cannot create '\(path)'") }
        }
        guard let h = FileHandle(forWritingAtPath: path) else { throw ConfigError("cannot write '\(path)'") }
        h.seekToEndOfFile()
        return h
    }
}
