import Foundation
import RewardEngine

/// `Generator` over an OpenAI-compatible server's `/v1/completions`, or `/v1/chat/completions` for chat
/// models whose template only the server knows (see OpenAIChat.swift) — vLLM, SGLang, llama.cpp,
/// llama-cpp-python: for when one CPU is not enough. One request per sample (`n` 1, `seed` = the
/// sample's seed) so every sample is reproducible on servers that honour seeds; requests of all jobs run
/// concurrently (bounded). Transport errors, timeouts, 429 and 5xx are retried with exponential backoff
/// and a bounded number of attempts; a job whose request still fails (or gets another 4xx) carries the
/// message in its `error`. The call throws only when no request at all succeeded because the server
/// could not be reached.
///
/// Stop strings: servers drop a matched stop string from the text; the contract includes it, so it is
/// re-appended. vLLM says which stop matched (`stop_reason`); other servers report `finish_reason`
/// "stop" for a stop string and for end of generation alike, so a "stop" finish with stop strings set
/// counts as the first stop string (a model that ends its answer then yields an empty next step).
public struct OpenAIGenerator: Generator {
    public enum Endpoint: String, Sendable, CaseIterable { case completions, chat }
    public var baseURL: URL
    public var endpoint: Endpoint
    /// Chat endpoint: how the server continues the steps so far.
    public var chatContinuation: ChatContinuation
    public var model: String?
    public var apiKey: String?
    /// Renders prompts for `renderPrompt` (the served model's template); nil = raw questions.
    public var template: ChatTemplate?
    public var maxConcurrency: Int
    public var maxAttempts: Int
    /// Seconds before the first retry; doubled per attempt.
    public var initialBackoff: Double
    /// Per-request timeout, seconds.
    public var timeout: Double

    /// `baseURL`: the server's API root, e.g. `http://127.0.0.1:8000/v1` (a URL without `/v1` gets it).
    public init(baseURL: URL, model: String? = nil, apiKey: String? = nil, template: ChatTemplate? = nil,
                endpoint: Endpoint = .completions, chatContinuation: ChatContinuation = .finalMessage,
                maxConcurrency: Int = 8, maxAttempts: Int = 4, initialBackoff: Double = 0.25, timeout: Double = 120) {
        self.endpoint = endpoint; self.chatContinuation = chatContinuation
        self.baseURL = baseURL.path.hasSuffix("/v1") || baseURL.path.hasSuffix("/v1/") ? baseURL : baseURL.appendingPathComponent("v1")
        self.model = model; self.apiKey = apiKey; self.template = template
        self.maxConcurrency = max(1, maxConcurrency); self.maxAttempts = max(1, maxAttempts)
        self.initialBackoff = max(0, initialBackoff); self.timeout = max(0.1, timeout)
    }

    public var name: String {
        "openai:\(baseURL.absoluteString)" + (endpoint == .chat ? " chat" : "") + (model.map { " model=\($0)" } ?? "")
    }

    /// Completions: the prompt in `template` (nil = raw questions). Chat: the ChatML encoding the chat
    /// endpoint reads back into messages (the server applies the model's own template).
    public func renderPrompt(system: String?, user: String) -> String? {
        guard let t = endpoint == .chat ? Self.chatEncoding : template else { return nil }
        var m: [ChatMessage] = []
        if let s = system { m.append(.system(s)) }
        m.append(.user(user))
        return t.render(m, addGenerationPrompt: true)
    }

    /// Why one request failed for good.
    enum RequestFailure: Error {
        /// Retried `maxAttempts` times without reaching the server or getting an answer.
        case unreachable(String)
        /// The server answered with an error for this request.
        case rejected(String)
        var message: String {
            switch self { case .unreachable(let m), .rejected(let m): return m }
        }
    }

    struct Choice: Sendable {
        var text: String
        var finish: GenerationFinish
        var completionTokens: Int
        var promptTokens: Int
        var meanLogprob: Double?
    }

    public func generate(_ jobs: [GenerationJob]) async throws -> [GenerationOutcome] {
        var requests: [(job: Int, sample: Int)] = []
        for (j, job) in jobs.enumerated() { for k in job.seeds.indices { requests.append((j, k)) } }
        let http = OpenAIHTTPClient.shared(for: baseURL, maxConnections: maxConcurrency, timeout: timeout)
        var results = [Result<Choice, RequestFailure>?](repeating: nil, count: requests.count)
        await withTaskGroup(of: (Int, Result<Choice, RequestFailure>).self) { group in
            var next = 0
            func launch() {
                let i = next, r = requests[i]
                next += 1
                let job = jobs[r.job]
                group.addTask { (i, await self.complete(job, seed: job.seeds[r.sample], http: http)) }
            }
            while next < min(maxConcurrency, requests.count) { launch() }
            while let (i, r) = await group.next() {
                results[i] = r
                if next < requests.count { launch() }
            }
        }
        if !requests.isEmpty, results.allSatisfy({ if case .failure(.unreachable) = $0! { return true } else { return false } }),
           case .failure(let f) = results[0]! {
            throw f.asError
        }
        var outcomes = jobs.map { _ in GenerationOutcome(samples: [], prefillTokens: 0, contextTokens: 0) }
        var samples: [[GeneratedText]] = jobs.map { _ in [] }
        for (i, r) in requests.enumerated() {
            switch results[i]! {
            case .success(let c):
                samples[r.job].append(GeneratedText(text: c.text, finish: c.finish, completionTokens: c.completionTokens, meanLogprob: c.meanLogprob))
                outcomes[r.job].prefillTokens += c.promptTokens
                outcomes[r.job].contextTokens = c.promptTokens
            case .failure(let f):
                if outcomes[r.job].error == nil { outcomes[r.job].error = f.message }
            }
        }
        for j in jobs.indices {
            if outcomes[j].error == nil { outcomes[j].samples = samples[j] } else { outcomes[j].samples = [] }
        }
        return outcomes
    }

    /// One sample, retried with backoff.
    func complete(_ job: GenerationJob, seed: UInt64, http: OpenAIHTTPClient) async -> Result<Choice, RequestFailure> {
        var body: [String: Any]
        if endpoint == .chat {
            switch chatBody(job) {
            case .success(let b): body = b
            case .failure(let f): return .failure(f)
            }
        } else {
            body = ["prompt": job.context]
            if job.wantLogprobs { body["logprobs"] = 1 }
        }
        body["max_tokens"] = job.maxTokens; body["temperature"] = Double(job.temperature)
        body["top_p"] = Double(job.topP); body["n"] = 1; body["seed"] = Int(truncatingIfNeeded: seed & 0x7FFF_FFFF)
        if let m = model { body["model"] = m }
        if job.topK > 0 { body["top_k"] = job.topK }
        let stops = job.stop.filter { !$0.isEmpty }
        if !stops.isEmpty { body["stop"] = stops }
        let url = baseURL.appendingPathComponent(endpoint == .chat ? "chat/completions" : "completions")
        var headers = [("Content-Type", "application/json")]
        if let k = apiKey { headers.append(("Authorization", "Bearer \(k)")) }
        let payload = (try? JSONSerialization.data(withJSONObject: body)) ?? Data()
        var last = "no attempt"
        for attempt in 0..<maxAttempts {
            if attempt > 0 {
                try? await Task.sleep(nanoseconds: UInt64(initialBackoff * Double(1 << min(attempt - 1, 16)) * 1e9))
            }
            do {
                let reply = try await http.post(url, headers: headers, body: payload)
                let status = reply.status, data = reply.body
                if status == 429 || status >= 500 {
                    last = "HTTP \(status): \(Self.snippet(data))"
                    continue
                }
                guard status == 200 else { return .failure(.rejected("HTTP \(status): \(Self.snippet(data))")) }
                return endpoint == .chat ? Self.parseChat(data, stops: stops) : Self.parse(data, stops: stops)
            } catch {
                last = "\(baseURL.absoluteString): \(http.describe(error))"
            }
        }
        return .failure(.unreachable("after \(maxAttempts) attempts: \(last)"))
    }

    static func snippet(_ d: Data) -> String { String(decoding: d.prefix(300), as: UTF8.self) }

    /// Reads `choices[0]` and `usage` of a completions response.
    static func parse(_ data: Data, stops: [String]) -> Result<Choice, RequestFailure> {
        guard let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let choices = obj["choices"] as? [[String: Any]], let c = choices.first,
              let text = c["text"] as? String
        else { return .failure(.rejected("unexpected response: \(snippet(data))")) }
        let usage = obj["usage"] as? [String: Any]
        let completion = (usage?["completion_tokens"] as? NSNumber)?.intValue ?? 0
        let prompt = (usage?["prompt_tokens"] as? NSNumber)?.intValue ?? 0
        var finish = GenerationFinish.length
        var out = text
        switch c["finish_reason"] as? String {
        case "length": finish = .length
        case "stop":
            if let matched = c["stop_reason"] as? String, stops.contains(matched) {
                finish = .stop; out += matched
            } else if c.keys.contains("stop_reason"), !(c["stop_reason"] is String) {
                finish = .end  // vLLM: a token id or null means end of generation
            } else if let s = stops.first {
                finish = .stop; out += s
            } else {
                finish = .end
            }
        default: finish = .end
        }
        var mean: Double? = nil
        if let lp = c["logprobs"] as? [String: Any], let t = lp["token_logprobs"] as? [Any] {
            let v = t.compactMap { ($0 as? NSNumber)?.doubleValue }
            if !v.isEmpty { mean = v.reduce(0, +) / Double(v.count) }
        }
        return .success(Choice(text: out, finish: finish, completionTokens: completion, promptTokens: prompt, meanLogprob: mean))
    }
}

/// The error `generate` throws when the server cannot be reached at all.
public struct BackendUnavailable: Error, CustomStringConvertible {
    public var description: String
}

extension OpenAIGenerator.RequestFailure {
    var asError: BackendUnavailable { BackendUnavailable(description: "backend unavailable: \(message)") }
}
