import Foundation
import RewardCore

/// How many resamples, at which level, from which seed. The defaults (1,000 resamples,
/// 95 %, seed 0) are what every `rewardkit eval` subcommand uses unless told otherwise.
public struct BootstrapOptions: Sendable, Hashable {
    public var resamples: Int
    public var level: Double
    public var seed: UInt64

    public init(resamples: Int = 1000, level: Double = 0.95, seed: UInt64 = 0) {
        self.resamples = resamples
        self.level = level
        self.seed = seed
    }

    public var json: JSONValue {
        ["method": "percentile", "resamples": .number(Double(resamples)), "level": .number(level), "seed": .number(Double(seed))]
    }
}

/// Result of a paired bootstrap of "A minus B" on the same items.
public struct PairedComparison: Sendable, Hashable {
    public var meanA: Double
    public var meanB: Double
    public var difference: ConfidenceInterval
    /// Two-sided bootstrap p-value: 2·min(P*(d ≤ 0), P*(d ≥ 0)), capped at 1.
    public var pValue: Double
    public var n: Int

    public var json: JSONValue {
        ["n": .number(Double(n)), "a": .number(meanA), "b": .number(meanB), "difference": .number(difference.estimate),
         "difference_ci": difference.json, "p_value": .number(pValue)]
    }
}

/// Percentile bootstrap. Items are resampled with replacement; for stratified data
/// (benchmark subsets) each stratum is resampled within itself so a subset's size is
/// fixed, as it is in the benchmark. Every point estimate is the full-sample statistic
/// (the benchmark's number); the CI is ours — no benchmark computes one. Statistics shown
/// side by side in one report (methods of a BoN curve, Brier and ECE, aggregations) use
/// the same seed and so the same resamples: their CIs are paired.
public enum Bootstrap {
    /// Quantile of sorted values with linear interpolation between order statistics.
    public static func quantile(sorted v: [Double], _ q: Double) -> Double {
        guard !v.isEmpty else { return .nan }
        let h = Double(v.count - 1) * q
        let lo = Int(h.rounded(.down))
        let hi = min(lo + 1, v.count - 1)
        return v[lo] + (h - Double(lo)) * (v[hi] - v[lo])
    }

    /// The interval from replicate values; NaN replicates (statistic undefined on that
    /// resample) are dropped.
    public static func interval(estimate: Double, replicates: [Double], options: BootstrapOptions) -> ConfidenceInterval {
        let s = replicates.filter { !$0.isNaN }.sorted()
        let a = (1 - options.level) / 2
        guard !s.isEmpty, !estimate.isNaN else {
            return ConfidenceInterval(estimate: estimate, lower: .nan, upper: .nan, level: options.level, resamples: 0)
        }
        return ConfidenceInterval(estimate: estimate, lower: quantile(sorted: s, a), upper: quantile(sorted: s, 1 - a),
                                  level: options.level, resamples: s.count)
    }

    static func generator(_ options: BootstrapOptions, stream: UInt64) -> SeededGenerator {
        SeededGenerator(seed: options.seed ^ (stream &* 0x9E37_79B9_7F4A_7C15) &+ stream)
    }

    /// Mean of `values` with its CI.
    public static func mean(_ values: [Double], options: BootstrapOptions) -> ConfidenceInterval {
        guard !values.isEmpty else {
            return ConfidenceInterval(estimate: .nan, lower: .nan, upper: .nan, level: options.level, resamples: 0)
        }
        let est = values.reduce(0, +) / Double(values.count)
        let reps = stratifiedMeans([values], options: options)[0]
        return interval(estimate: est, replicates: reps, options: options)
    }

    /// Replicate means per stratum: result[stratum][resample]. Strata are resampled
    /// independently with generators derived from the seed and the stratum index, so a
    /// stratum's replicates do not depend on which other strata are present.
    public static func stratifiedMeans(_ strata: [[Double]], options: BootstrapOptions) -> [[Double]] {
        let r = options.resamples
        var out = [[Double]](repeating: [], count: strata.count)
        // Strata run concurrently; each writes only its own slot.
        out.withUnsafeMutableBufferPointer { buf in
            let outPtr = SendablePointer(buf.baseAddress!)
            DispatchQueue.concurrentPerform(iterations: strata.count) { si in
                let values = strata[si]
                var reps = [Double](repeating: .nan, count: r)
                let n = values.count
                if n > 0 {
                    var g = generator(options, stream: UInt64(si) + 1)
                    values.withUnsafeBufferPointer { v in
                        let inv = 1 / Double(n)
                        for k in 0..<r {
                            var s = 0.0
                            for _ in 0..<n { s += v[g.index(n)] }
                            reps[k] = s * inv
                        }
                    }
                }
                outPtr.p[si] = reps
            }
        }
        return out
    }

    /// Replicates of an arbitrary statistic of resampled item indices (0..<n).
    public static func replicates(count n: Int, options: BootstrapOptions, stream: UInt64 = 0,
                                  statistic: ([Int]) -> Double) -> [Double]
    {
        guard n > 0 else { return [] }
        var g = generator(options, stream: stream &+ 0x5EED)
        var idx = [Int](repeating: 0, count: n)
        var reps: [Double] = []
        reps.reserveCapacity(options.resamples)
        for _ in 0..<options.resamples {
            for i in 0..<n { idx[i] = g.index(n) }
            reps.append(statistic(idx))
        }
        return reps
    }

    /// Several statistics of the same n items on the same resamples (paired: replicate r of
    /// every statistic comes from resample r, so differences between them are meaningful).
    /// Each estimate is its statistic on the full sample (indices 0..<n), computed by the
    /// same function as its replicates — the number the benchmark itself would report.
    public static func joint(count n: Int, options: BootstrapOptions, stream: UInt64 = 0,
                             _ statistics: [([Int]) -> Double]) -> (estimates: [Double], replicates: [[Double]])
    {
        let all = Array(0..<n)
        let estimates = statistics.map { n > 0 ? $0(all) : .nan }
        var reps = [[Double]](repeating: [], count: statistics.count)
        _ = replicates(count: n, options: options, stream: stream) { idx in
            for (j, f) in statistics.enumerated() { reps[j].append(f(idx)) }
            return 0
        }
        return (estimates, reps)
    }

    /// The percentile interval moved by the bootstrap bias estimate b = mean(replicates) −
    /// estimate, i.e. [q_lo − b, q_hi − b] clamped to `range`. For statistics that
    /// resampling inflates (ECE: every bin's |mean p − mean y| gains noise on a resample,
    /// so on well-calibrated data all replicates can exceed the estimate and the plain
    /// percentile interval excludes it). First-order bias correction, as in Efron &
    /// Tibshirani (1993, §10) and Kumar et al.'s calibration bootstrap.
    public static func biasShiftedInterval(estimate: Double, replicates: [Double], options: BootstrapOptions,
                                           range: ClosedRange<Double>) -> (interval: ConfidenceInterval, bias: Double)
    {
        let plain = interval(estimate: estimate, replicates: replicates, options: options)
        let s = replicates.filter { !$0.isNaN }
        guard plain.resamples > 0 else { return (plain, .nan) }
        let bias = s.reduce(0, +) / Double(s.count) - estimate
        func clamp(_ x: Double) -> Double { min(max(x, range.lowerBound), range.upperBound) }
        return (ConfidenceInterval(estimate: estimate, lower: clamp(plain.lower - bias), upper: clamp(plain.upper - bias),
                                   level: options.level, resamples: plain.resamples), bias)
    }

    /// Paired bootstrap of mean(a) − mean(b) over the same items (same resampled indices for both).
    public static func paired(_ a: [Double], _ b: [Double], options: BootstrapOptions) -> PairedComparison {
        precondition(a.count == b.count, "paired bootstrap needs the same items for A and B")
        let n = a.count
        let ma = n > 0 ? a.reduce(0, +) / Double(n) : .nan
        let mb = n > 0 ? b.reduce(0, +) / Double(n) : .nan
        let d = zip(a, b).map { $0 - $1 }
        let ci = mean(d, options: options)
        let reps = stratifiedMeans([d], options: options)[0]
        let le = reps.filter { $0 <= 0 }.count, ge = reps.filter { $0 >= 0 }.count
        let p = reps.isEmpty ? .nan : min(1, 2 * Double(min(le, ge)) / Double(reps.count))
        return PairedComparison(meanA: ma, meanB: mb, difference: ci, pValue: p, n: n)
    }
}

/// A raw pointer handed to concurrent workers that each write a distinct slot.
struct SendablePointer<T>: @unchecked Sendable {
    let p: UnsafeMutablePointer<T>
    init(_ p: UnsafeMutablePointer<T>) { self.p = p }
}
