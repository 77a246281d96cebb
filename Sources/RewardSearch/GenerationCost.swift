/// What sampling through a `Generator` cost, summed over outcomes: the one accounting every caller
/// (search methods, label synthesizers) keeps, so "generated tokens" means the same thing everywhere.
public struct GenerationCost: Sendable, Equatable, Codable {
    /// Tokens generated over every sample, including samples later pruned or discarded.
    public var generatedTokens = 0
    /// Context tokens the backend actually computed (a reused KV prefix costs 0 locally).
    public var prefillTokens = 0
    /// Context tokens of every job, computed or reused: what prefill would cost without prefix sharing.
    public var contextTokens = 0
    /// `Generator.generate` calls (one batch each).
    public var calls = 0
    /// Jobs run (contexts continued); a job with an error counts but adds no tokens.
    public var jobs = 0

    public init() {}

    /// Adds one job's outcome (tokens only; `calls` counts batches, see `add(call:)`).
    public mutating func add(_ outcome: GenerationOutcome) {
        generatedTokens += outcome.generatedTokens
        prefillTokens += outcome.prefillTokens
        contextTokens += outcome.contextTokens
        jobs += 1
    }

    /// Adds one `generate` call: its outcomes and the call itself.
    public mutating func add(call outcomes: [GenerationOutcome]) {
        calls += 1
        for o in outcomes { add(o) }
    }

    public static func + (a: GenerationCost, b: GenerationCost) -> GenerationCost {
        var c = a
        c.generatedTokens += b.generatedTokens; c.prefillTokens += b.prefillTokens
        c.contextTokens += b.contextTokens; c.calls += b.calls; c.jobs += b.jobs
        return c
    }
}
