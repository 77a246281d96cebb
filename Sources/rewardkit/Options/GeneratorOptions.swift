import ArgumentParser
import Foundation
import RewardCore
import RewardEngine
import RewardSearch

/// Which `Generator` a command samples from — the embedded engine (continuous batching, KV prefix cache) or an
/// OpenAI-compatible server (vLLM, SGLang, llama.cpp) — shared by `search` and `label`.
///
/// `--model` is the local model (pulled name or GGUF path); with `--backend openai` it is the served model's
/// name unless `--model-name` gives it (`label` spelled it `--model-name`, `search` `--model`: both work).
struct GeneratorOptions: ParsableArguments {
    @Option(help: "local (embedded engine) | openai (an OpenAI-compatible server).")
    var backend: String = "local"

    @Option(name: .long, help: "Local: pulled model name or GGUF path (default: \(ModelStore.defaultModel)). OpenAI: the served model's name.")
    var model: String?

    @Option(name: .long, help: "Local backend: compute threads (default: number of cores).")
    var threads: Int?

    @Option(name: .long, help: ArgumentHelp(
        "Local backend: f32 weight copies for batched passes: automatic (dense when ≤ 1 GiB), dense, or compact (dequantize on the fly; least memory).",
        valueName: "mode"))
    var weightMemory: GGUFLanguageModel.WeightMemory?

    @Option(help: "OpenAI backend: the server's API root, e.g. http://127.0.0.1:8000/v1.")
    var baseURL: String?

    @Option(help: "OpenAI backend: the served model's name (sent as `model`; same as --model there).")
    var modelName: String?

    @Option(help: "OpenAI backend: chat template the prompts are rendered with (chatml | llama3 | none).")
    var chatTemplate: String = "chatml"

    @Option(help: "OpenAI backend: completions | chat (/v1/chat/completions; the server applies the model's template).")
    var endpoint: String = "completions"

    @Option(help: "OpenAI chat endpoint: final_message (continue the text so far via continue_final_message: vLLM, SGLang) | none (the server cannot, e.g. llama_cpp.server: only whole completions work).")
    var chatContinuation: String = "final_message"

    @Option(help: "OpenAI backend: concurrent requests.")
    var concurrency: Int = 8

    @Option(help: "Local backend: sequences decoded together per forward pass.")
    var batch: Int = 16

    @Option(help: "Local backend: KV prefix cache between generate calls, in MiB (0 = off: every prefix is prefilled from scratch).")
    var prefixCacheMb: Int = 1024

    /// The served model's name: `--model-name`, else `--model`.
    var servedModel: String? { modelName ?? model }

    func validate() throws {
        guard ["local", "openai"].contains(backend) else { throw ValidationError("--backend must be local or openai") }
        guard batch >= 1, prefixCacheMb >= 0 else { throw ValidationError("--batch must be ≥ 1 and --prefix-cache-mb ≥ 0") }
        guard OpenAIGenerator.Endpoint(rawValue: endpoint) != nil else { throw ValidationError("--endpoint must be completions or chat") }
        guard ChatContinuation(rawValue: chatContinuation) != nil else { throw ValidationError("--chat-continuation must be final_message or none") }
        if backend == "openai" {
            guard let b = baseURL else { throw ValidationError("--backend openai needs --base-url") }
            guard let u = URL(string: b), u.scheme == "http" || u.scheme == "https", u.host != nil else {
                throw ValidationError("--base-url is not an http(s) URL: \(b)")
            }
            guard ["chatml", "llama3", "none"].contains(chatTemplate) else { throw ValidationError("--chat-template must be chatml, llama3 or none") }
            guard (1...256).contains(concurrency) else { throw ValidationError("--concurrency must be in 1…256") }
        }
    }

    /// What `makeGenerator` builds: the generator, the name that identifies its model (for a server: the
    /// served model, template and endpoint, not the URL, so a job may resume against a restarted server),
    /// and a token counter (the local tokenizer; ≈ 4 bytes per token for a server).
    struct Made {
        let generator: any Generator
        let identity: String
        let countTokens: @Sendable (String) -> Int
    }

    /// `retokenizeContexts`: see `LocalGenerator` (label jobs need it: their contexts continue stored text).
    func makeGenerator(retokenizeContexts: Bool = false) throws -> Made {
        try validate()
        if backend == "local" {
            let m = try loadEngineModel(model ?? ModelStore.defaultModel, threads: threads, weightMemory: weightMemory)
            let g = LocalGenerator(model: m, maxBatch: batch, cacheBytes: prefixCacheMb << 20, retokenizeContexts: retokenizeContexts)
            return Made(generator: g, identity: g.name, countTokens: { m.tokenize($0).count })
        }
        let template: ChatTemplate? = chatTemplate == "chatml" ? .chatML(defaultSystem: nil) : chatTemplate == "llama3" ? .llama3 : nil
        let ep = OpenAIGenerator.Endpoint(rawValue: endpoint)!
        let g = OpenAIGenerator(baseURL: URL(string: baseURL!)!, model: servedModel, template: template, endpoint: ep,
                                chatContinuation: ChatContinuation(rawValue: chatContinuation)!, maxConcurrency: concurrency)
        // The identity of jobs made before --endpoint existed is kept for the default endpoint.
        var identity = "openai model=\(servedModel ?? "(server default)") template=\(chatTemplate)"
        if ep != .completions { identity += " endpoint=\(endpoint) continuation=\(chatContinuation)" }
        return Made(generator: g, identity: identity, countTokens: { ($0.utf8.count + 3) / 4 })
    }
}
