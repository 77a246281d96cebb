import ArgumentParser
import Foundation
import RewardCore
import RewardEval

/// Shared input handling for one-correct-vs-many evaluations (bestof, rewardmath).
struct EvalCandidateSource: ParsableArguments {
    @Option(help: "Data: prompt, chosen (string or list), rejected (list), subset, id.") var data: String?
    @Option(help: "Reward spec to score live.") var config: String?
    @Option(help: "Precomputed scores: scores_chosen/scores_rejected, or scores + num_correct.") var scores: String?

    func validate() throws {
        guard (config != nil) != (scores != nil) else { throw ValidationError("give exactly one of --config or --scores") }
        if config != nil, data == nil { throw ValidationError("--config needs --data") }
    }

    func load(issues: inout [InputIssue]) async throws -> [ScoredCandidates] {
        let items = try data.map { try CandidatesInput.readData(path: $0, issues: &issues) }
        if let config, let items, let path = data {
            let fn = try EvalSupport.scorer(config)
            var samples: [Sample] = [], lines: [Int] = []
            for it in items {
                for r in it.chosen + it.rejected {
                    samples.append(Sample(id: it.id, prompt: .text(it.prompt), response: r, reference: it.reference))
                    lines.append(it.line)
                }
            }
            let res = try await EvalSupport.scoreLive(samples, lines: lines, file: path, scorer: fn, label: "scoring candidates", issues: &issues)
            var k = 0
            var out: [ScoredCandidates] = []
            for it in items {
                let n = it.chosen.count + it.rejected.count
                let r = res[k..<(k + n)]
                k += n
                guard r.allSatisfy({ $0 != nil }) else { continue }
                let v = r.map { $0!.reward }
                out.append(ScoredCandidates(id: it.id, subset: it.subset, chosen: Array(v.prefix(it.chosen.count)),
                                            rejected: Array(v.suffix(it.rejected.count))))
            }
            return out
        }
        let s = try CandidatesInput.readScores(path: scores!, issues: &issues)
        if let items { return try CandidatesInput.join(data: items, scores: s) }
        return s
    }
}

struct EvalBestOfCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bestof",
        abstract: "Best-of-k accuracy, RewardBench 2 style (chosen must outscore every rejected; Ties subset composite).",
        discussion: """
            A prompt scores 1/k when the first chosen response shares the top score with k−1 others (1 for a \
            clean win, 0 if anything outscores it). The subset named 'ties' (case-insensitive) is scored with \
            RewardBench 2's Ties composite — a score, not an accuracy: it reaches 1.01 when every row is right \
            and the correct answers tie exactly; its rows need ids 'ref:<pid>' / 'tied:<pid>'. The overall \
            score is the unweighted mean of the subset scores.
            """
    )

    @OptionGroup var source: EvalCandidateSource
    @OptionGroup var output: EvalOutputOptions

    func run() async throws {
        var issues: [InputIssue] = []
        let items = try await source.load(issues: &issues)
        guard !items.isEmpty else { throw EvalSupport.nothingUsable("no scorable items", issues: issues) }
        let report = RewardBench2.evaluate(items, bootstrap: output.bootstrapOptions)
        var summary = ["bestof: \(report.n) prompts, score \(report.score.formatted())"]
        for s in report.subsets {
            summary.append("  \(s.name) (n=\(s.n)): \(s.ties == nil ? "accuracy" : "Ties score") \(s.score.formatted(digits: s.ties == nil ? 3 : 4))")
        }
        try EvalSupport.finish(json: report.json, issues: issues, html: report.html(), summary: summary, options: output)
    }
}

struct EvalRewardMATHCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rewardmath",
        abstract: "RewardMATH-style one correct vs many incorrect: accuracy-vs-all and MRR.",
        discussion: """
            Same inputs as 'bestof' (the first chosen response is the correct one). Accuracy: the correct \
            solution scores strictly above every incorrect one. MRR: mean reciprocal rank of the correct \
            solution, ranked below every incorrect one it ties (as RewardMATH's code ranks it).
            """
    )

    @OptionGroup var source: EvalCandidateSource
    @OptionGroup var output: EvalOutputOptions

    func run() async throws {
        var issues: [InputIssue] = []
        let items = try await source.load(issues: &issues)
        guard !items.isEmpty else { throw EvalSupport.nothingUsable("no scorable items", issues: issues) }
        let report = RewardMATHMetrics.evaluate(items, bootstrap: output.bootstrapOptions)
        let summary = ["rewardmath: \(report.n) problems, accuracy \(report.accuracy.formatted()), MRR \(report.mrr.formatted())"]
        try EvalSupport.finish(json: report.json, issues: issues, html: report.html(), summary: summary, options: output)
    }
}
