/// One record scored the way `rewardkit score` scores a line, for callers that hold
/// records in memory (the HTTP server) rather than stream a file.
public struct ScoredRecord: Sendable {
    /// The scalar reward (the margin for preference pairs); nil when the record failed.
    public var reward: Double?
    /// Why the record could not be scored, naming line (= 1-based record position) and field.
    public var error: String?
    /// The fields `score` appends to an output line: `reward`, `rewards`, `step_rewards`,
    /// `reward_chosen`/`reward_rejected`, `advantage`, or `reward: null` + `error`.
    public var fields: [JSONMember]
}

extension ScoringPipeline {
    /// Scores in-memory records (each one JSON text, as a `score` input line) through the same
    /// decoding and result fields as `run`; with `groupNormalization` set, `advantage` is
    /// computed over the records given, exactly as `run` does over a file.
    public func score(records: [[UInt8]]) async throws -> [ScoredRecord] {
        let lines = records.enumerated().map { InputLine(number: $0.offset + 1, bytes: $0.element, tooLong: nil) }
        let outcomes = try await scoreBatch(lines)
        var out = outcomes.map { ScoredRecord(reward: $0.reward, error: $0.error, fields: $0.additions(diagnostics: includeDiagnostics)) }
        if let gn = groupNormalization {
            let eligible = outcomes.map { $0.error == nil && $0.pairCorrect == nil }
            let adv = gn.advantages(rewards: outcomes.map { $0.reward ?? 0 },
                                    groups: outcomes.enumerated().map { eligible[$0.offset] ? $0.element.group : nil })
            for i in out.indices where eligible[i] { out[i].fields.append(JSONMember("advantage", .number(adv[i]))) }
        }
        return out
    }
}
