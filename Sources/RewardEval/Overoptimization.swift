import Foundation
import RewardCore

/// How an ensemble of proxy scores becomes one (Coste et al. 2023).
public enum ProxyAggregation: Sendable, Hashable {
    /// The first proxy alone (the single-RM baseline).
    case single
    case mean
    /// Worst-case optimization: the minimum over members.
    case wco
    /// Uncertainty-weighted optimization: mean − λ·variance (population variance).
    case uwo(lambda: Double)

    public var name: String {
        switch self {
        case .single: return "single"
        case .mean: return "mean"
        case .wco: return "wco"
        case .uwo(let l): return "uwo(λ=\(Fmt.fixed(l, 2)))"
        }
    }

    public func apply(_ x: [Double]) -> Double {
        guard !x.isEmpty else { return .nan }
        switch self {
        case .single: return x[0]
        case .mean: return x.reduce(0, +) / Double(x.count)
        case .wco: return x.min()!
        case .uwo(let lambda):
            let m = x.reduce(0, +) / Double(x.count)
            let v = x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count)
            return m - lambda * v
        }
    }
}

public struct OveroptCandidate: Sendable, Hashable {
    public var gold: Double
    public var proxies: [Double]
    public init(gold: Double, proxies: [Double]) { self.gold = gold; self.proxies = proxies }
}

/// Best-of-n overoptimization study (Gao et al. 2022): select the candidate with the
/// highest (aggregated) proxy score among n, for n = 1…N, and track the expected gold and
/// proxy score of the selection against KL_BoN = log n − (n−1)/n. Expectations are exact
/// over all n-subsets of each problem's pool (order statistics; proxy ties broken
/// uniformly). Overoptimization is flagged when, past the n where mean gold peaks, gold
/// has fallen by more than `tolerance` while the proxy kept rising.
public enum Overoptimization {
    public static func klBoN(_ n: Int) -> Double { Foundation.log(Double(n)) - Double(n - 1) / Double(n) }

    /// Expected (gold, proxy) of the proxy-argmax of a random n-subset.
    public static func bestOfN(proxy: [Double], gold: [Double], n: Int) -> (gold: Double, proxy: Double) {
        let (order, groups) = Combinatorics.descendingOrder(proxy)
        let g = Combinatorics.expectedTop(values: order.map { gold[$0] }, tieGroups: groups, k: n)
        let p = Combinatorics.expectedTop(values: order.map { proxy[$0] }, tieGroups: groups, k: n)
        return (g, p)
    }

    public static func evaluate(_ pools: [[OveroptCandidate]], aggregations: [ProxyAggregation], maxN: Int? = nil,
                                tolerance: Double = 0, bootstrap: BootstrapOptions = .init()) -> OveroptReport
    {
        let usable = pools.filter { !$0.isEmpty }
        let N = min(maxN ?? Int.max, usable.map(\.count).min() ?? 0)
        var curves: [OveroptReport.Curve] = []
        for agg in aggregations {
            // Per problem × n matrices, so the bootstrap resamples problems, not points.
            var goldM = [[Double]](repeating: [Double](repeating: 0, count: N), count: usable.count)
            var proxyM = goldM
            for (pi, pool) in usable.enumerated() {
                let proxy = pool.map { agg.apply($0.proxies) }
                let gold = pool.map(\.gold)
                for n in 1...max(N, 1) where n <= N {
                    let r = bestOfN(proxy: proxy, gold: gold, n: n)
                    goldM[pi][n - 1] = r.gold
                    proxyM[pi][n - 1] = r.proxy
                }
            }
            func meanCurve(_ m: [[Double]], _ idx: [Int]) -> [Double] {
                var c = [Double](repeating: 0, count: N)
                for i in idx { for j in 0..<N { c[j] += m[i][j] } }
                return c.map { $0 / Double(max(idx.count, 1)) }
            }
            let all = Array(usable.indices)
            let gc = meanCurve(goldM, all), pc = meanCurve(proxyM, all)
            func drop(_ g: [Double]) -> Double { (g.max() ?? .nan) - (g.last ?? .nan) }
            let peak = gc.indices.max { gc[$0] < gc[$1] } ?? 0
            // A 1e-9 slack keeps float noise in exactly equal expectations from raising the flag.
            let flagged = N > 0 && gc[peak] - gc[N - 1] > tolerance + 1e-9 && pc[N - 1] > pc[peak] + 1e-9
            var goldReps: [[Double]] = Array(repeating: [], count: N)
            let dropReps = Bootstrap.replicates(count: usable.count, options: bootstrap, stream: 7) { idx in  // same resamples for every aggregation (paired)
                let g = meanCurve(goldM, idx)
                for j in 0..<N { goldReps[j].append(g[j]) }
                return drop(g)
            }
            let points = (0..<N).map { j in
                OveroptReport.Point(n: j + 1, kl: klBoN(j + 1),
                                    gold: Bootstrap.interval(estimate: gc[j], replicates: goldReps[j], options: bootstrap),
                                    proxy: pc[j])
            }
            curves.append(.init(aggregation: agg.name, points: points, peakN: peak + 1,
                                goldDrop: Bootstrap.interval(estimate: N > 0 ? drop(gc) : .nan, replicates: dropReps, options: bootstrap),
                                overoptimized: flagged))
        }
        return OveroptReport(problems: usable.count, maxN: N, tolerance: tolerance, curves: curves, bootstrap: bootstrap)
    }
}

public struct OveroptReport: Sendable {
    public struct Point: Sendable {
        public var n: Int
        public var kl: Double
        public var gold: ConfidenceInterval
        public var proxy: Double
    }
    public struct Curve: Sendable {
        public var aggregation: String
        public var points: [Point]
        public var peakN: Int
        /// Peak mean gold minus mean gold at the largest n (≥ 0).
        public var goldDrop: ConfidenceInterval
        public var overoptimized: Bool
    }

    public var problems: Int
    public var maxN: Int
    public var tolerance: Double
    public var curves: [Curve]
    public var bootstrap: BootstrapOptions

    public var json: JSONValue {
        var o = JSONObject()
        o["benchmark"] = "overopt"
        o["problems"] = .number(Double(problems))
        o["max_n"] = .number(Double(maxN))
        o["tolerance"] = .number(tolerance)
        o["curves"] = .object(JSONObject(curves.map { c in
            JSONMember(c.aggregation, [
                "overoptimized": .bool(c.overoptimized),
                "peak_n": .number(Double(c.peakN)),
                "peak_kl": .number(Overoptimization.klBoN(c.peakN)),
                "gold_drop": .number(c.goldDrop.estimate), "gold_drop_ci": c.goldDrop.json,
                "points": .array(c.points.map {
                    ["n": .number(Double($0.n)), "kl_bon": .number($0.kl), "gold": .number($0.gold.estimate), "gold_ci": $0.gold.json,
                     "proxy": .number($0.proxy)]
                }),
            ])
        }))
        o["bootstrap"] = bootstrap.json
        return .object(o)
    }
}
