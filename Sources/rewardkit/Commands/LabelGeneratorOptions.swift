import ArgumentParser
import Foundation
import RewardEngine
import RewardSearch

/// Which `Generator` a label job samples rollouts from: the embedded engine with its prefix cache, or an
/// OpenAI-compatible server (vLLM, SGLang, llama.cpp) — the way to label at scale on a GPU cluster.
struct LabelGeneratorOptions: ParsableArguments {
    @Option(help: "local (embedded engine) | openai (an OpenAI-compatible /v1/completions server).")
    var backend: String = "local"

    @OptionGroup var engine: EngineModelOptions

    @Option(help: "OpenAI backend: the server's API root, e.g. http://127.0.0.1:8000/v1.")
    var baseURL: String?

    @Option(help: "OpenAI backend: the served model's name (sent as `model`; part of the job's identity).")
    var modelName: String?

    @Option(help: "OpenAI backend: chat template the prompts are rendered with (chatml | llama3 | none).")
    var chatTemplate: String = "chatml"

    @Option(help: "OpenAI backend: concurrent requests.")
    var concurrency: Int = 8

    @Option(help: "Local backend: sequences decoded together per forward pass (all rollouts of a solution share one continuous batch).")
    var batch: Int = 16

    @Option(help: "Local backend: KV prefix cache between generate calls, in MiB (0 = off: every prefix is prefilled from scratch).")
    var prefixCacheMb: Int = 1024

    func validateBackend() throws {
        guard ["local", "openai"].contains(backend) else { throw ValidationError("--backend must be local or openai") }
        guard batch >= 1, prefixCacheMb >= 0 else { throw ValidationError("--batch must be ≥ 1 and --prefix-cache-mb ≥ 0") }
        if backend == "openai" {
            guard let b = baseURL else { throw ValidationError("--backend openai needs --base-url") }
            guard let u = URL(string: b), u.scheme == "http" || u.scheme == "https", u.host != nil else {
                throw ValidationError("--base-url is not an http(s) URL: \(b)")
            }
            guard ["chatml", "llama3", "none"].contains(chatTemplate) else { throw ValidationError("--chat-template must be chatml, llama3 or none") }
            guard (1...256).contains(concurrency) else { throw ValidationError("--concurrency must be in 1…256") }
        }
    }

    /// The generator and the name that identifies its model in the job fingerprint. For a server that is
    /// the served model's name and template, not the URL: a job may resume against a restarted server.
    func makeGenerator() throws -> (generator: any Generator, identity: String) {
        try validateBackend()
        if backend == "local" {
            let g = LocalGenerator(model: try engine.load(), maxBatch: batch, cacheBytes: prefixCacheMb << 20)
            return (g, g.name)
        }
        let template: ChatTemplate? = chatTemplate == "chatml" ? .chatML(defaultSystem: nil) : chatTemplate == "llama3" ? .llama3 : nil
        let g = OpenAIGenerator(baseURL: URL(string: baseURL!)!, model: modelName, template: template, maxConcurrency: concurrency)
        return (g, "openai model=\(modelName ?? "(server default)") template=\(chatTemplate)")
    }
}
