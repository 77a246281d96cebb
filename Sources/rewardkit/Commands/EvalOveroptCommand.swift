import ArgumentParser
import Foundation
import RewardCore
import RewardEval

struct EvalOveroptCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "overopt",
        abstract: "Overoptimization study: Best-of-n gold vs proxy reward against KL_BoN = log n − (n−1)/n.",
        discussion: """
            --data: candidate pools (as for 'bon'); each candidate carries 'gold' and 'proxy' (a number) or \
            'proxies' (a list: an ensemble). Or score live: --gold-config (or --gold-oracle math|label: gold = \
            1/0 correctness) and one --proxy-config per ensemble member. For n = 1…N (N = smallest pool, or \
            --max-n) the expected gold and proxy of the proxy-argmax of n candidates are exact over all \
            n-subsets. Proxy ensembles are aggregated by --aggregate (single = first member, mean, wco = min, \
            uwo = mean − λ·variance). Overoptimized: past the gold peak, gold fell by more than --tolerance \
            while the proxy kept rising.
            """
    )

    @Option(help: "Candidate pools.") var data: String
    @Option(help: "Gold reward spec, scored live.") var goldConfig: String?
    @Option(help: "Gold = correctness by this oracle (math | label).") var goldOracle: String?
    @Option(help: "Proxy reward spec (repeat for an ensemble), scored live.") var proxyConfig: [String] = []
    @Option(help: "Comma-separated aggregations: single, mean, wco, uwo.") var aggregate: String = "single,mean,wco,uwo"
    @Option(help: "λ for UWO (mean − λ·variance).") var uwoLambda: Double = 0.5
    @Option(help: "Largest n.") var maxN: Int?
    @Option(help: "Gold drop that counts as overoptimization.") var tolerance: Double = 0
    @OptionGroup var output: EvalOutputOptions

    func run() async throws {
        var issues: [InputIssue] = []
        var pools = try PoolInput.read(path: data, issues: &issues)
        guard !pools.isEmpty else { throw EvalSupport.nothingUsable("no pools in --data", issues: issues) }
        // Gold.
        var gold: [[Double?]] = pools.map { $0.candidates.map { EvalInput.number($0.fields, ["gold", "gold_score", "gold_reward"])?.value } }
        if let g = goldConfig {
            try await EvalPools.scoreLive(&pools, spec: g, file: data, issues: &issues)
            gold = pools.map { $0.candidates.map(\.score) }
        } else if let o = goldOracle {
            let oracle = try EvalPools.oracle(o, pools: pools)
            gold = pools.map { p in p.candidates.map { c in oracle.isCorrect(response: c.response, gold: p.gold, fields: c.fields).map { $0 ? 1 : 0 } } }
        }
        // Proxies.
        var proxies: [[[Double]?]] = pools.map { p in p.candidates.map { c in
            if let a = c.fields["proxies"]?.arrayValue { let v = a.compactMap(\.doubleValue); return v.count == a.count && !v.isEmpty ? v : nil }
            return EvalInput.number(c.fields, ["proxy", "proxy_score", "proxy_reward"]).map { [$0.value] }
        } }
        if !proxyConfig.isEmpty {
            proxies = pools.map { $0.candidates.map { _ in [] } }
            for spec in proxyConfig {
                var copy = pools
                try await EvalPools.scoreLive(&copy, spec: spec, file: data, issues: &issues)
                for i in copy.indices { for j in copy[i].candidates.indices {
                    if let s = copy[i].candidates[j].score, proxies[i][j] != nil { proxies[i][j]!.append(s) } else { proxies[i][j] = nil }
                } }
            }
        }
        var study: [[OveroptCandidate]] = []
        for i in pools.indices {
            var cands: [OveroptCandidate] = []
            for j in pools[i].candidates.indices {
                guard let g = gold[i][j] else {
                    issues.append(InputIssue(file: data, error: RecordError(line: pools[i].line, field: "gold", "candidate \(j) has no gold score; pool skipped")))
                    cands = []; break
                }
                guard let p = proxies[i][j], !p.isEmpty else {
                    issues.append(InputIssue(file: data, error: RecordError(line: pools[i].line, field: "proxy", "candidate \(j) has no proxy score; pool skipped")))
                    cands = []; break
                }
                cands.append(OveroptCandidate(gold: g, proxies: p))
            }
            if !cands.isEmpty { study.append(cands) }
        }
        guard !study.isEmpty else { throw EvalSupport.nothingUsable("no pool has gold and proxy scores for every candidate", issues: issues) }
        let members = study[0][0].proxies.count
        var aggs: [ProxyAggregation] = []
        for a in aggregate.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            switch a {
            case "single": aggs.append(.single)
            case "mean": aggs.append(.mean)
            case "wco": aggs.append(.wco)
            case "uwo": aggs.append(.uwo(lambda: uwoLambda))
            default: throw ValidationError("unknown aggregation '\(a)' (single, mean, wco, uwo)")
            }
        }
        if members == 1 { aggs = [.single] }  // one proxy: the aggregations coincide
        let report = Overoptimization.evaluate(study, aggregations: aggs, maxN: maxN, tolerance: tolerance, bootstrap: output.bootstrapOptions)
        var summary = ["overopt: \(report.problems) problems, n = 1…\(report.maxN), \(members) proxy member(s)"]
        for c in report.curves {
            summary.append("  \(c.aggregation): gold n=1 \(Fmt.fixed(c.points.first?.gold.estimate ?? .nan, 4)) → n=\(report.maxN) \(Fmt.fixed(c.points.last?.gold.estimate ?? .nan, 4)); peak at n=\(c.peakN); drop \(c.goldDrop.formatted(digits: 4)); overoptimized: \(c.overoptimized ? "yes" : "no")")
        }
        try EvalSupport.finish(json: report.json, issues: issues, html: report.html(), summary: summary, options: output)
    }
}
