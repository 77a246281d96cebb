import ArgumentParser
import Foundation
import RewardCore
import RewardEngine

/// Samples N responses per prompt with the in-process engine and writes them as
/// scoring-ready JSONL: each output line keeps the input fields and adds `response`,
/// `sample` (0…N−1) and `group` (the input's `group`/`prompt_id`/`id`, else its line number),
/// so `rewardkit score` can GRPO-normalize and `rewardkit eval bon` can pick among them.
struct RolloutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollout",
        abstract: "Generate N responses per prompt with a local model (JSONL in, JSONL out)."
    )

    @OptionGroup var engine: EngineModelOptions

    @Option(name: .customLong("in"), help: "Prompts: JSONL with `prompt` (string or messages) or `messages`, or `question`/`problem`.")
    var input: String

    @Option(name: .shortAndLong, help: "Output JSONL, or '-' for stdout.")
    var out: String = "-"

    @Option(name: .short, help: "Samples per prompt (they share the prompt's KV cache).")
    var n: Int = 4

    @Option(help: "Maximum new tokens per sample.")
    var maxTokens: Int = 256

    @Option(help: "Sampling temperature (0 = greedy).")
    var temperature: Float = 0.7

    @Option(help: "Top-p nucleus sampling (1 = off).")
    var topP: Float = 0.95

    @Option(help: "Random seed; the same seed gives the same samples.")
    var seed: UInt64 = 0

    @Option(help: "Text prepended to each user prompt (e.g. an instruction about the answer format).")
    var instruction: String?

    @Flag(help: "Feed the prompt text as is instead of wrapping it in the model's chat template.")
    var raw = false

    @Option(help: "Sequences decoded together per step (all samples of all prompts share one continuous batch). Memory: about batch × (prompt + max-tokens) × 46 KB of KV cache for SmolLM2-135M.")
    var batch: Int = 32

    func validate() throws {
        guard n >= 1 else { throw ValidationError("-n must be ≥ 1") }
        guard maxTokens >= 1 else { throw ValidationError("--max-tokens must be ≥ 1") }
        guard batch >= 1 else { throw ValidationError("--batch must be ≥ 1") }
    }

    func messages(for o: JSONObject, line: Int) throws -> (text: String, messages: [RewardEngine.ChatMessage]) {
        if let p = o["prompt"]?.stringValue ?? o["question"]?.stringValue ?? o["problem"]?.stringValue {
            let text = (instruction.map { $0 + "\n\n" } ?? "") + p
            return (text, [RewardEngine.ChatMessage(role: "user", content: text)])
        }
        if let m = o["prompt"] ?? o["messages"], case .array = m {
            guard case .single(let s) = try RecordDecoder.decode(["prompt": m, "response": ""], line: line),
                  case .messages(let msgs) = s.prompt else { throw RecordError(line: line, field: "messages", "not a message list") }
            return (msgs.map(\.content).joined(separator: "\n\n"), msgs.map { RewardEngine.ChatMessage(role: $0.role, content: $0.content) })
        }
        throw RecordError(line: line, field: "prompt", "missing (expected 'prompt', 'question', 'problem' or 'messages')")
    }

    func run() async throws {
        let model = try engine.load()
        // Warm-up, as llama.cpp does at load: a short greedy pass touches every weight page and wakes the
        // worker threads, so the first prompt decodes at the warm rate (a cold 64-token run was ~25 % slower).
        _ = try? await model.generate(requests: [GenerationRequest(
            prompt: model.tokenize("Hello", parseSpecial: false),
            options: GenerationOptions(maxTokens: 4, temperature: 0, topP: 1, seed: 0, samples: 1))])
        let input = try RecordInput(path: self.input)
        let sink = try OutputSink(path: out)
        let progress = ProgressReporter(label: "rollout")
        var lines: [InputLine] = []
        // A failed input stream still gets the prompts read before it; the error is raised at the end.
        var inputFailure: Error?
        do {
            while true {
                let b = try input.nextBatch(max: 1024)
                if b.isEmpty { break }
                lines += b
            }
        } catch { inputFailure = error }
        var done = 0, errors = 0, tokens = 0
        var timing = GenerationTiming()
        let start = Date()
        // Prompts go through the engine in windows of several batches' worth of samples: all samples of
        // a window share one continuous batch, and output is written (in input order) after each window.
        let window = max(1, 4 * batch / n)
        var w0 = 0
        try await sink.publishing {
        while w0 < lines.count {
            let chunk = lines[w0..<min(lines.count, w0 + window)]
            w0 += chunk.count
            var parsed: [(line: InputLine, object: JSONObject?, error: String?)] = []
            var requests: [GenerationRequest] = []
            for line in chunk {
                do {
                    let o = try line.object()
                    let (_, msgs) = try messages(for: o, line: line.number)
                    let promptText = raw ? msgs.map(\.content).joined(separator: "\n\n") : model.renderChat(msgs, addGenerationPrompt: true)
                    var opts = GenerationOptions(maxTokens: maxTokens, temperature: temperature, topP: topP, seed: seed &+ UInt64(line.number), samples: n)
                    opts.stopAtEndOfGeneration = true
                    requests.append(GenerationRequest(prompt: model.tokenize(promptText, parseSpecial: true), options: opts))
                    parsed.append((line, o, nil))
                } catch let e as RecordError {
                    parsed.append((line, nil, e.description))
                }
            }
            let (generations, t) = try await model.generateTimed(requests: requests, maxBatch: batch)
            timing = timing + t
            var w = JSONWriter()
            var k = 0
            for (line, object, error) in parsed {
                guard let o = object else {
                    errors += 1
                    w.write(.object(["line": .number(Double(line.number)), "error": .string(error ?? "invalid line")]))
                    w.bytes.append(0x0A)
                    continue
                }
                let gens = generations[k]
                k += 1
                let group = o["group"]?.stringValue ?? o["prompt_id"]?.stringValue ?? o["id"]?.stringValue ?? "line\(line.number)"
                for (k, g) in gens.enumerated() {
                    var out = o
                    out["response"] = .string(g.text)
                    out["sample"] = .number(Double(k))
                    out["group"] = .string(group)
                    out["finish_reason"] = .string(g.finishReason.rawValue)
                    w.write(.object(out))
                    w.bytes.append(0x0A)
                    tokens += g.tokens.count
                }
            }
            try sink.write(w.bytes)
            done += chunk.count
            progress.update(done: done, fraction: Double(done) / Double(max(lines.count, 1)))
        }
        }
        progress.finish()
        let secs = Date().timeIntervalSince(start)
        var s = JSONObject()
        s["prompts"] = .number(Double(done))
        s["samples"] = .number(Double((done - errors) * n))
        s["errors"] = .number(Double(errors))
        s["generated_tokens"] = .number(Double(tokens))
        s["seconds"] = .number((secs * 100).rounded() / 100)
        s["tokens_per_second"] = .number(secs > 0 ? (Double(tokens) / secs).rounded() : 0)
        // The engine's share: prompt prefill vs decode (what `bench generate` rows measure).
        s["prefill_seconds"] = .number((timing.prefillSeconds * 1000).rounded() / 1000)
        s["decode_seconds"] = .number((timing.decodeSeconds * 1000).rounded() / 1000)
        s["decode_tokens_per_second"] = .number((timing.decodeTokensPerSecond * 10).rounded() / 10)
        FileHandle.standardError.write(Data(("summary: " + JSONValue.object(s).jsonString + "\n").utf8))
        if let inputFailure { throw inputFailure }
    }
}
