/// What the rest of RewardKit needs from a language model. Implementations are Sendable and may be
/// shared across tasks; compute-heavy calls are async.
public protocol LanguageModel: Sendable {
    var info: ModelInfo { get }

    /// Token ids for `text` (never adds BOS). `parseSpecial` turns written control tokens
    /// such as `<|im_start|>` into their ids.
    func tokenize(_ text: String, parseSpecial: Bool) -> [Int32]
    /// Text for ids; control tokens are rendered only when `special` is true.
    func detokenize(_ ids: [Int32], special: Bool) -> String
    /// The model's chat format applied to messages.
    func renderChat(_ messages: [ChatMessage], addGenerationPrompt: Bool) -> String

    /// Teacher-forced log-probabilities of `continuation` given `context` (one forward pass).
    func logprobs(context: [Int32], continuation: [Int32]) async throws -> ContinuationLogprobs
    /// Many (context, continuation) pairs, batched through the model together.
    func logprobs(batch: [(context: [Int32], continuation: [Int32])]) async throws -> [ContinuationLogprobs]
    /// For every position i ≥ 1: log p(tokens[i] | tokens[..<i]) and the model's top-1 guess there.
    func scoreSequence(_ tokens: [Int32]) async throws -> [PositionScore]
    /// Final-norm hidden states (each `info.hiddenSize` long) at the chosen positions.
    func hiddenStates(tokens: [Int32], at positions: HiddenStatePositions) async throws -> [[Float]]
    /// Samples `options.samples` completions of a prompt that share one prefill of the prompt.
    func generate(prompt: [Int32], options: GenerationOptions,
                  onText: (@Sendable (_ sample: Int, _ text: String) -> Void)?) async throws -> [Generation]
    /// Many prompts' samples; the engine decodes them in one continuous batch of up to `maxBatch` sequences.
    func generate(requests: [GenerationRequest], maxBatch: Int,
                  onText: (@Sendable (_ request: Int, _ sample: Int, _ text: String) -> Void)?) async throws -> [[Generation]]
}

extension LanguageModel {
    /// Default for models without a batched decoder: one request after another.
    public func generate(requests: [GenerationRequest], maxBatch: Int,
                         onText: (@Sendable (_ request: Int, _ sample: Int, _ text: String) -> Void)?) async throws -> [[Generation]] {
        var out: [[Generation]] = []
        for (i, r) in requests.enumerated() {
            var stream: (@Sendable (Int, String) -> Void)? = nil
            if let f = onText { stream = { s, t in f(i, s, t) } }
            out.append(try await generate(prompt: r.prompt, options: r.options, onText: stream))
        }
        return out
    }

    /// String convenience: context and continuation are tokenized separately (special tokens parsed).
    public func logprobs(context: String, continuation: String) async throws -> ContinuationLogprobs {
        try await logprobs(context: tokenize(context, parseSpecial: true), continuation: tokenize(continuation, parseSpecial: true))
    }

    /// Generates from raw prompt text (special tokens parsed).
    public func generate(prompt: String, options: GenerationOptions = .init(),
                         onText: (@Sendable (Int, String) -> Void)? = nil) async throws -> [Generation] {
        try await generate(prompt: tokenize(prompt, parseSpecial: true), options: options, onText: onText)
    }

    /// Generates an assistant reply to chat messages.
    public func chat(_ messages: [ChatMessage], options: GenerationOptions = .init(),
                     onText: (@Sendable (Int, String) -> Void)? = nil) async throws -> [Generation] {
        try await generate(prompt: renderChat(messages, addGenerationPrompt: true), options: options, onText: onText)
    }
}

public struct ModelInfo: Sendable, Equatable {
    public let name: String
    public let architecture: String
    public let path: String
    public let vocabSize: Int
    public let hiddenSize: Int
    public let layerCount: Int
    public let contextLength: Int
    public let threads: Int
}

public struct ContinuationLogprobs: Sendable, Equatable {
    public let contextTokens: [Int32]
    public let tokens: [Int32]
    /// log p(tokens[i] | context, tokens[..<i]) (natural log).
    public let tokenLogprobs: [Double]
    /// Whether each continuation token was the model's top-1 choice.
    public let isTop1: [Bool]
    public var sum: Double { tokenLogprobs.reduce(0, +) }
    public var mean: Double { tokenLogprobs.isEmpty ? 0 : sum / Double(tokenLogprobs.count) }
}

public struct PositionScore: Sendable, Equatable {
    /// log p of the actual token at this position.
    public let logprob: Double
    /// The model's argmax prediction for this position.
    public let top1: Int32
    /// log p of that argmax token.
    public let top1Logprob: Double
}

public enum HiddenStatePositions: Sendable, Equatable {
    case all
    case last
    case indices([Int])
}

public struct GenerationOptions: Sendable, Equatable {
    public var maxTokens: Int
    /// 0 = greedy.
    public var temperature: Float
    /// 0 = off.
    public var topK: Int
    /// 1 = off.
    public var topP: Float
    /// 0 = off.
    public var minP: Float
    /// 1 = off; applied to the last `repeatLastN` tokens (prompt included).
    public var repetitionPenalty: Float
    public var repeatLastN: Int
    public var seed: UInt64
    public var stop: [String]
    public var samples: Int
    /// Stop at end-of-generation tokens (eos / <|im_end|> …).
    public var stopAtEndOfGeneration: Bool

    public init(maxTokens: Int = 128, temperature: Float = 0, topK: Int = 0, topP: Float = 1, minP: Float = 0,
                repetitionPenalty: Float = 1, repeatLastN: Int = 64, seed: UInt64 = 0, stop: [String] = [],
                samples: Int = 1, stopAtEndOfGeneration: Bool = true) {
        self.maxTokens = maxTokens; self.temperature = temperature; self.topK = topK; self.topP = topP
        self.minP = minP; self.repetitionPenalty = repetitionPenalty; self.repeatLastN = repeatLastN
        self.seed = seed; self.stop = stop; self.samples = samples; self.stopAtEndOfGeneration = stopAtEndOfGeneration
    }
}

public struct Generation: Sendable, Equatable {
    public enum FinishReason: String, Sendable { case length, endOfGeneration, stopString }
    public let text: String
    public let tokens: [Int32]
    public let finishReason: FinishReason
}
