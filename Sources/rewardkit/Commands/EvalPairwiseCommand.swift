import ArgumentParser
import Foundation
import RewardCore
import RewardEval

struct EvalPairwiseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pairwise",
        abstract: "Pairwise accuracy (RewardBench v1 sections when subsets match; any preference file).",
        discussion: """
            --data: preference pairs (TRL, RewardBench with 'subset', HH-RLHF transcripts; .jsonl/.json/.gz). \
            Scores from --config (live) or --scores (lines with score_chosen/score_rejected, or \
            reward_chosen/reward_rejected as 'rewardkit score' writes them), matched by 'id' when every line \
            has a unique one, else by position. With --scores alone, subsets come from the score lines. \
            Ties count as wrong (RewardBench v1) unless --ties half. --compare-scores / --compare-config adds \
            a paired bootstrap of A − B on the same pairs.
            """
    )

    @Option(help: "Preference pairs.") var data: String?
    @Option(help: "Reward spec to score live.") var config: String?
    @Option(help: "Precomputed pair scores (JSONL).") var scores: String?
    @Option(help: "Second scorer's precomputed scores, for a paired A − B comparison.") var compareScores: String?
    @Option(help: "Second reward spec, for a paired A − B comparison.") var compareConfig: String?
    @Option(help: "How equal scores count: loss (RewardBench v1) or half.") var ties: String = "loss"
    @OptionGroup var output: EvalOutputOptions

    func validate() throws {
        guard (config != nil) != (scores != nil) else { throw ValidationError("give exactly one of --config or --scores") }
        if config != nil, data == nil { throw ValidationError("--config needs --data") }
        if compareConfig != nil, data == nil { throw ValidationError("--compare-config needs --data") }
        guard TiePolicy(rawValue: ties) != nil else { throw ValidationError("--ties must be loss or half") }
    }

    func pairs(config: String?, scores: String?, data: [PairwiseInput.DataPair]?, issues: inout [InputIssue]) async throws -> [ScoredPair] {
        if let config, let data, let dataPath = self.data {
            let fn = try EvalSupport.scorer(config)
            var samples: [Sample] = [], lines: [Int] = []
            for d in data { samples += [d.chosen, d.rejected]; lines += [d.line, d.line] }
            let r = try await EvalSupport.scoreLive(samples, lines: lines, file: dataPath, scorer: fn, label: "scoring pairs", issues: &issues)
            return data.enumerated().compactMap { i, d in
                guard let c = r[2 * i], let j = r[2 * i + 1] else { return nil }
                return ScoredPair(id: d.id, subset: d.subset, chosen: c.reward, rejected: j.reward,
                                  chosenLength: d.chosen.response.count, rejectedLength: d.rejected.response.count)
            }
        }
        let s = try PairwiseInput.readScores(path: scores!, issues: &issues)
        if let data { return try PairwiseInput.join(data: data, scores: s, issues: &issues, scoresPath: scores!) }
        return s.map { ScoredPair(id: $0.id, subset: $0.subset, chosen: $0.chosen, rejected: $0.rejected) }
    }

    func run() async throws {
        let started = ContinuousClock.now
        var issues: [InputIssue] = []
        let data = try self.data.map { try PairwiseInput.readData(path: $0, issues: &issues) }
        let a = try await pairs(config: config, scores: scores, data: data, issues: &issues)
        guard !a.isEmpty else { throw EvalSupport.nothingUsable("no scorable pairs", issues: issues) }
        let policy = TiePolicy(rawValue: ties)!
        let report = PairwiseAccuracy.evaluate(a, ties: policy, bootstrap: output.bootstrapOptions)
        var json = report.json
        var comparison: PairedComparison?
        if compareScores != nil || compareConfig != nil {
            let b = try await pairs(config: compareConfig, scores: compareScores, data: data, issues: &issues)
            // Pair up A and B on the same items (by id when present, else position).
            let ob = b.map { policy.outcome(chosen: $0.chosen, rejected: $0.rejected) }
            if a.allSatisfy({ $0.id != nil }) && b.allSatisfy({ $0.id != nil }) {
                var m: [String: Double] = [:]
                for (i, p) in b.enumerated() { m[p.id!] = ob[i] }
                var xa: [Double] = [], xb: [Double] = []
                for (i, p) in a.enumerated() { if let v = m[p.id!] { xa.append(report.outcomes[i]); xb.append(v) } }
                comparison = Bootstrap.paired(xa, xb, options: output.bootstrapOptions)
            } else {
                guard a.count == b.count else { throw ConfigError("A has \(a.count) pairs and B \(b.count); without ids they must match by position") }
                comparison = Bootstrap.paired(report.outcomes, ob, options: output.bootstrapOptions)
            }
            if case .object(var o) = json { o["comparison"] = comparison!.json; json = .object(o) }
        }
        if case .object(var o) = json {
            o["scorer"] = .string(config.map { "spec \($0)" } ?? "scores \(scores!)")
            o["seconds"] = .number(EvalSupport.seconds(since: started))
            json = .object(o)
        }
        var summary = ["pairwise: \(report.n) pairs, accuracy \(report.accuracy.formatted()) (ties: \(report.ties), counted \(policy.rawValue))"]
        for s in report.sections { summary.append("  \(s.name): \(s.score.formatted())") }
        if let rb = report.rewardBenchScore { summary.append("  RewardBench score: \(rb.formatted())") }
        if report.subsets.count > 1 { for s in report.subsets { summary.append("  subset \(s.name) (n=\(s.n)): \(s.accuracy.formatted())") } }
        if let c = comparison { summary.append("  A − B: \(c.difference.formatted(digits: 4)), p = \(Fmt.fixed(c.pValue, 4))") }
        try EvalSupport.finish(json: json, issues: issues, html: report.html(comparison: comparison), summary: summary, options: output)
    }
}
