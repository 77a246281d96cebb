import RewardEngine

/// One model's KV spans for step paths after one prompt, keyed by content (the steps), so a path one
/// step longer than a stored one runs only its new step (`IncrementalStepScores`). Starting a new prompt
/// (a new problem) or passing `maxBytes` drops them all.
struct StepPathSpans {
    let model: GGUFLanguageModel
    let maxBytes: Int
    private var spans: [String: KVSpan] = [:]
    private var bytes = 0
    private var prompt: [Int32]?

    init(model: GGUFLanguageModel, maxBytes: Int) { self.model = model; self.maxBytes = maxBytes }

    static func key(_ steps: ArraySlice<String>) -> String { steps.joined(separator: "\u{1}") + "\u{2}\(steps.count)" }

    /// Makes `prompt` (rendered and tokenized) the root; returns the tokens this computed (0 when it already was).
    mutating func begin(prompt tokens: [Int32]) throws -> Int {
        if tokens == prompt && bytes <= maxBytes { return 0 }
        spans = [:]; bytes = 0; prompt = tokens
        store([], try model.appendHiddenStates([(nil, tokens, [])])[0].span)
        return tokens.count
    }

    /// The span stored for these steps (the root for none, once `begin` ran).
    func span(_ steps: ArraySlice<String>) -> KVSpan? { spans[Self.key(steps)] }

    mutating func store(_ path: ArraySlice<String>, _ span: KVSpan) {
        spans[Self.key(path)] = span
        bytes += span.bytes
    }
}
