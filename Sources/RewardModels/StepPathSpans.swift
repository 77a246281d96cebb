import RewardEngine

/// One model's KV spans for step paths after one prompt, keyed by content (the steps), so a path one
/// step longer than a stored one runs only its new step (`IncrementalStepScores`). Starting a new prompt
/// (a new problem) drops them all. Past `maxBytes` new spans are not kept (the root always is): a later
/// path then runs from its longest kept prefix, so scores stay the same and memory stays bounded.
struct StepPathSpans {
    let model: GGUFLanguageModel
    let maxBytes: Int
    private var spans: [String: KVSpan] = [:]
    private(set) var bytes = 0
    private var prompt: [Int32]?

    init(model: GGUFLanguageModel, maxBytes: Int) { self.model = model; self.maxBytes = maxBytes }

    static func key(_ steps: ArraySlice<String>) -> String { steps.joined(separator: "\u{1}") + "\u{2}\(steps.count)" }

    /// Makes `prompt` (rendered and tokenized) the root; returns the tokens this computed (0 when it already was).
    mutating func begin(prompt tokens: [Int32]) throws -> Int {
        if tokens == prompt { return 0 }
        spans = [:]; bytes = 0; prompt = tokens
        let root = try model.appendHiddenStates([(nil, tokens, [])])[0].span
        spans[Self.key([])] = root
        bytes = root.bytes
        return tokens.count
    }

    /// The span stored for these steps (the root for none, once `begin` ran).
    func span(_ steps: ArraySlice<String>) -> KVSpan? { spans[Self.key(steps)] }

    mutating func store(_ path: ArraySlice<String>, _ span: KVSpan) {
        guard bytes + span.bytes <= maxBytes else { return }
        spans[Self.key(path)] = span
        bytes += span.bytes
    }
}
