import ArgumentParser
import Foundation
import RewardCore
import RewardEval

struct EvalPassKCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "passk",
        abstract: "pass@k with the unbiased estimator 1 − C(n−c,k)/C(n,k).",
        discussion: """
            --data: lines with 'n' and 'c' (samples, correct), or candidate pools as for 'bon' (correctness \
            from --oracle). Problems with fewer than k samples are left out of pass@k for that k.
            """
    )

    @Option(help: "Counts (n, c) per problem, or candidate pools.") var data: String
    @Option(help: "Comma-separated k values (default 1,2,4,… up to the smallest n).") var k: String?
    @Option(help: "auto | math | label (for pools)") var oracle: String = "auto"
    @OptionGroup var output: EvalOutputOptions

    func run() async throws {
        var issues: [InputIssue] = []
        var problems: [(n: Int, c: Int)] = []
        let objs = try EvalInput.objects(path: data, issues: &issues)
        if objs.allSatisfy({ $0.object["n"] != nil && $0.object["c"] != nil }) {
            for (line, o) in objs {
                guard let n = o["n"]?.intValue, let c = o["c"]?.intValue, n >= 1, c >= 0, c <= n else {
                    issues.append(InputIssue(file: data, error: RecordError(line: line, field: "n", "'n' and 'c' must be integers with 0 ≤ c ≤ n, n ≥ 1")))
                    continue
                }
                problems.append((n, c))
            }
        } else {
            var poolIssues: [InputIssue] = []
            let pools = try PoolInput.read(path: data, issues: &poolIssues)
            issues += poolIssues
            let o = try EvalPools.oracle(oracle, pools: pools)
            let judged = EvalPools.judge(pools, oracle: o, issues: &issues, file: data)
            problems = judged.pools.map { ($0.candidates.count, $0.candidates.filter(\.correct).count) }
        }
        guard let minN = problems.map(\.n).min() else { throw EvalSupport.nothingUsable("no problems in --data", issues: issues) }
        let ks = try k.map { try EvalSupport.parseInts($0, name: "--k") } ?? BestOfNCurve.defaultNs(maxPool: minN)
        let report = PassAtK.evaluate(problems: problems, ks: ks, bootstrap: output.bootstrapOptions)
        var summary = ["passk: \(report.problems) problems, \(report.samples) samples, \(report.correct) correct"]
        for r in report.rows { summary.append("  pass@\(r.k): \(r.passAtK.formatted()) (\(r.problems) problems)") }
        try EvalSupport.finish(json: report.json, issues: issues, html: report.html(), summary: summary, options: output)
    }
}
