/// The seam every search method (`rewardkit search`) and every label synthesizer (`rewardkit label`)
/// samples text through. Two implementations: the local engine (KV prefix sharing, siblings decoded in
/// one batch) and an OpenAI-compatible HTTP server (vLLM, SGLang, llama.cpp) for when one CPU is not enough.
///
/// The contract is text in, text out, so both backends fit: a job's `context` is the full text to
/// continue (rendered prompt + the steps chosen so far). A local implementation must not re-prefill a
/// context it has already computed: it remembers which token ids produced each text it returned, so a
/// context that extends an earlier context + completion reuses that KV (and those exact tokens, not a
/// re-tokenization that might split the step delimiter differently).
public protocol Generator: Sendable {
    /// Short description for reports ("local:SmolLM2-135M-Instruct", "openai:http://…/v1 model=…").
    var name: String { get }

    /// Samples `job.seeds.count` continuations of every job. Jobs are independent; an implementation
    /// should decode all their samples together (one continuous batch locally, concurrent requests
    /// remotely). Results are in job order, samples in seed order.
    ///
    /// A failure that concerns one job only (context too long, a server 4xx for that prompt) is
    /// reported in that job's `error`, so the caller can record it and go on; the call throws only when
    /// nothing can proceed (backend unreachable after bounded retries, model failure).
    func generate(_ jobs: [GenerationJob]) async throws -> [GenerationOutcome]

    /// The chat-formatted prompt for a user question, ending where the assistant's answer starts,
    /// so steps can be appended to it. Backends without a known template return `nil` (callers then
    /// use the raw question, or a chat endpoint if the backend has one).
    func renderPrompt(system: String?, user: String) -> String?
}

/// One context to continue, sampled once per seed.
public struct GenerationJob: Sendable, Equatable {
    /// Full text to continue: prompt + steps so far.
    public var context: String
    /// Stop strings, matched on decoded text; the returned text includes the matched stop string
    /// (a step is "text up to and including the delimiter", see SEARCH_AND_LABELING.md §0).
    /// Empty = run to end of generation or `maxTokens`.
    public var stop: [String]
    public var maxTokens: Int
    /// 0 = greedy.
    public var temperature: Float
    /// 1 = off.
    public var topP: Float
    /// 0 = off.
    public var topK: Int
    /// One sample per seed. Callers derive seeds from (problem id, node path, index) so trees and
    /// labels are reproducible and a resumed job draws exactly what the interrupted one would have.
    public var seeds: [UInt64]
    /// Ask for per-token log-probabilities (MCTS priors); backends that cannot give them return nil.
    public var wantLogprobs: Bool

    public init(context: String, stop: [String] = ["\n\n"], maxTokens: Int = 256, temperature: Float = 0.7,
                topP: Float = 1, topK: Int = 0, seeds: [UInt64], wantLogprobs: Bool = false) {
        self.context = context; self.stop = stop; self.maxTokens = maxTokens; self.temperature = temperature
        self.topP = topP; self.topK = topK; self.seeds = seeds; self.wantLogprobs = wantLogprobs
    }
}

/// Why a sample ended.
public enum GenerationFinish: String, Sendable, Equatable, Codable {
    /// One of the job's stop strings was produced (a step ended).
    case stop
    /// The model ended its answer (end-of-generation token).
    case end
    /// `maxTokens` reached.
    case length
}

/// One sampled continuation.
public struct GeneratedText: Sendable, Equatable {
    /// The continuation only (not the context), including a matched stop string.
    public var text: String
    public var finish: GenerationFinish
    /// Tokens generated for this sample.
    public var completionTokens: Int
    /// Mean token log-probability when the job asked for it and the backend gives it.
    public var meanLogprob: Double?

    public init(text: String, finish: GenerationFinish, completionTokens: Int, meanLogprob: Double? = nil) {
        self.text = text; self.finish = finish; self.completionTokens = completionTokens; self.meanLogprob = meanLogprob
    }
}

/// A job's samples plus the compute it actually cost.
public struct GenerationOutcome: Sendable, Equatable {
    public var samples: [GeneratedText]
    /// Context tokens whose KV this call actually computed (a reused prefix costs 0). Remote
    /// backends report the prompt tokens the server says it processed.
    public var prefillTokens: Int
    /// Context length in tokens (computed or reused).
    public var contextTokens: Int
    /// Set when this job could not be run; `samples` is then empty.
    public var error: String?

    public init(samples: [GeneratedText], prefillTokens: Int, contextTokens: Int, error: String? = nil) {
        self.samples = samples; self.prefillTokens = prefillTokens; self.contextTokens = contextTokens; self.error = error
    }

    public var generatedTokens: Int { samples.reduce(0) { $0 + $1.completionTokens } }
}
