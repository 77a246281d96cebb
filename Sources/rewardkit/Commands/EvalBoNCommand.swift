import ArgumentParser
import Foundation
import RewardCore
import RewardEval

/// Shared pool handling for bon / passk / overopt.
enum EvalPools {
    static func oracle(_ name: String, pools: [RawPool]) throws -> any AnswerOracle {
        switch name {
        case "label": return LabelOracle()
        case "math": return MathOracle()
        case "auto":
            return pools.allSatisfy({ $0.gold != nil }) ? MathOracle() : LabelOracle()
        default: throw ValidationError("--oracle must be auto, label or math")
        }
    }

    /// Scores every candidate live; a candidate the scorer fails on keeps a nil score.
    static func scoreLive(_ pools: inout [RawPool], spec: String, file: String, issues: inout [InputIssue]) async throws {
        let fn = try EvalSupport.scorer(spec)
        var samples: [Sample] = [], lines: [Int] = []
        for p in pools {
            for c in p.candidates {
                samples.append(Sample(id: p.id, prompt: .text(p.prompt), response: c.response, reference: p.gold, fields: c.fields))
                lines.append(p.line)
            }
        }
        let res = try await EvalSupport.scoreLive(samples, lines: lines, file: file, scorer: fn, label: "scoring candidates", issues: &issues)
        var k = 0
        for i in pools.indices {
            for j in pools[i].candidates.indices {
                pools[i].candidates[j].score = res[k]?.reward
                k += 1
            }
        }
    }

    /// Score lines `{"id"?, "scores": [..]}`, by id when all pools and lines have ids, else by position.
    static func attachScores(_ pools: inout [RawPool], path: String, issues: inout [InputIssue]) throws {
        var lines: [(id: String?, line: Int, scores: [Double])] = []
        for (line, o) in try EvalInput.objects(path: path, issues: &issues) {
            do {
                guard let s = try EvalInput.numbers(o, "scores", line: line) else { throw RecordError(line: line, field: "scores", "missing") }
                lines.append((EvalInput.string(o, ["id"]), line, s))
            } catch let e as RecordError { issues.append(InputIssue(file: path, error: e)) }
        }
        let byID = pools.allSatisfy { $0.id != nil } && lines.allSatisfy { $0.id != nil }
        var map: [String: (id: String?, line: Int, scores: [Double])] = [:]
        if byID { for l in lines { map[l.id!] = l } }
        guard byID || lines.count == pools.count else {
            throw ConfigError("\(lines.count) score lines for \(pools.count) pools; without ids they must match by position")
        }
        for i in pools.indices {
            guard let l = byID ? map[pools[i].id!] : lines[i] else { continue }
            guard l.scores.count == pools[i].candidates.count else {
                issues.append(InputIssue(file: path, error: RecordError(line: l.line, field: "scores", "has \(l.scores.count) scores for \(pools[i].candidates.count) candidates")))
                continue
            }
            for j in pools[i].candidates.indices { pools[i].candidates[j].score = l.scores[j] }
        }
    }

    /// Judges candidates and groups equivalent answers into vote keys.
    static func judge(_ pools: [RawPool], oracle: any AnswerOracle, issues: inout [InputIssue], file: String)
        -> (pools: [CandidatePool], labelAgreement: (agree: Int, total: Int))
    {
        var out: [CandidatePool] = []
        var agree = 0, total = 0
        let labels = LabelOracle()
        for p in pools {
            var reps: [String] = []
            var cands: [PoolCandidate] = []
            var bad = false
            for c in p.candidates {
                guard let ok = oracle.isCorrect(response: c.response, gold: p.gold, fields: c.fields) else {
                    issues.append(InputIssue(file: file, error: RecordError(line: p.line, field: p.gold == nil ? "reference" : "correct",
                                                                            "cannot judge a candidate with the \(oracle.name) oracle; pool skipped")))
                    bad = true
                    break
                }
                if !(oracle is LabelOracle), let l = labels.isCorrect(response: c.response, gold: p.gold, fields: c.fields) {
                    total += 1
                    if l == ok { agree += 1 }
                }
                var key: String?
                if let a = oracle.answer(response: c.response, fields: c.fields) {
                    if let r = reps.first(where: { oracle.equivalent($0, a) }) { key = r } else { reps.append(a); key = a }
                }
                cands.append(PoolCandidate(score: c.score, correct: ok, answerKey: key))
            }
            if !bad { out.append(CandidatePool(id: p.id, candidates: cands)) }
        }
        return (out, (agree, total))
    }
}

struct EvalBoNCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bon",
        abstract: "Best-of-N curves: accuracy@N for random, RM-argmax, majority vote, RM-weighted vote, oracle pass@N.",
        discussion: """
            --data: pools — one problem per line with 'candidates' (strings or objects with response/score/\
            correct/answer), GSM8K example_model_solutions.jsonl as is, or one candidate per line with 'group'. \
            Scores: --config (live), --scores (lines with 'scores' lists), or 'score' fields in the data; \
            without scores only random / majority / oracle are computed. Correctness: --oracle math (math \
            verifier against the gold answer), label (candidate's correct/is_correct/label field), or auto \
            (math when every problem has a gold answer). accuracy@N averages over all N-subsets of each pool \
            (exact; votes enumerate up to 5000 subsets, else --samples random subsets).
            """
    )

    @Option(help: "Candidate pools.") var data: String
    @Option(help: "Reward spec to score candidates live.") var config: String?
    @Option(help: "Precomputed candidate scores (lines with 'scores').") var scores: String?
    @Option(help: "auto | math | label") var oracle: String = "auto"
    @Option(help: "Comma-separated N values (default 1,2,4,… up to the pool size).") var ns: String?
    @Option(help: "Random subsets per problem and N when a vote cannot be enumerated exactly.") var samples: Int = 500
    @Option(help: "Use only the first N problems.") var limit: Int?
    @OptionGroup var output: EvalOutputOptions

    func run() async throws {
        var issues: [InputIssue] = []
        var pools = try PoolInput.read(path: data, issues: &issues)
        if let limit { pools = Array(pools.prefix(limit)) }
        guard !pools.isEmpty else { throw EvalSupport.nothingUsable("no pools in --data", issues: issues) }
        if let config { try await EvalPools.scoreLive(&pools, spec: config, file: data, issues: &issues) }
        if let scores { try EvalPools.attachScores(&pools, path: scores, issues: &issues) }
        let oracle = try EvalPools.oracle(self.oracle, pools: pools)
        let judged = EvalPools.judge(pools, oracle: oracle, issues: &issues, file: data)
        let grid = try ns.map { try EvalSupport.parseInts($0, name: "--ns") }
        let progress = ProgressReporter(label: "bon curves")
        let total = judged.pools.count
        var report = BestOfNCurve.evaluate(judged.pools, ns: grid, samples: samples, bootstrap: output.bootstrapOptions) {
            progress.update(done: $0, fraction: Double($0) / Double(max(total, 1)))
        }
        progress.finish()
        report.notes["oracle"] = .string(oracle.name)
        report.notes["scorer"] = .string(config.map { "spec \($0)" } ?? scores.map { "scores \($0)" } ?? "score fields in data (if any)")
        if judged.labelAgreement.total > 0 {
            report.notes["oracle_vs_label_agreement"] = .number(Double(judged.labelAgreement.agree) / Double(judged.labelAgreement.total))
        }
        var summary = ["bon: \(report.problems) problems, \(report.candidates) candidates, oracle: \(oracle.name)"]
        for m in report.methods {
            summary.append("  \(m.rawValue.padding(toLength: 18, withPad: " ", startingAt: 0)) " + report.curves[m]!.map { "N=\($0.n): \(Fmt.fixed($0.accuracy.estimate, 3))" }.joined(separator: "  "))
        }
        try EvalSupport.finish(json: report.json, issues: issues, html: report.html(), summary: summary, options: output)
    }
}
