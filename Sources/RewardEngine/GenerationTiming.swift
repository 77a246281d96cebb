import Foundation

/// Where the wall time of one `generate(requests:)` call went, so a caller can report decode throughput
/// the way `rewardkit bench generate` measures it (prefill excluded) next to its end-to-end rate.
public struct GenerationTiming: Sendable, Equatable {
    /// Prompt prefills and forks of the admitted requests, seconds.
    public var prefillSeconds: Double = 0
    /// Sampling, detokenization, stop checks and decode steps, seconds.
    public var decodeSeconds: Double = 0
    /// Prompt tokens prefilled.
    public var promptTokens = 0
    /// Tokens generated (every sample).
    public var generatedTokens = 0

    public init() {}

    /// Generated tokens per second of decode time (0 when nothing was decoded).
    public var decodeTokensPerSecond: Double { decodeSeconds > 0 ? Double(generatedTokens) / decodeSeconds : 0 }

    public static func + (a: Self, b: Self) -> Self {
        var r = a
        r.prefillSeconds += b.prefillSeconds
        r.decodeSeconds += b.decodeSeconds
        r.promptTokens += b.promptTokens
        r.generatedTokens += b.generatedTokens
        return r
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
}
