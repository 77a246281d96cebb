import RewardCore

/// Calibration of predicted probabilities against 0/1 outcomes: Brier score, expected
/// calibration error with equal-mass bins (each bin holds ⌊n/B⌋ or ⌈n/B⌉ predictions
/// after sorting by probability — robust to scores piled near 0 or 1, unlike equal-width
/// bins), and the reliability-diagram data.
public enum Calibration {
    public struct Bin: Sendable, Hashable {
        public var count: Int
        public var meanPrediction: Double
        public var meanOutcome: Double
        public var lower: Double
        public var upper: Double
    }

    public static func brier(_ p: [Double], _ y: [Double]) -> Double {
        guard !p.isEmpty else { return .nan }
        var s = 0.0
        for i in p.indices { s += (p[i] - y[i]) * (p[i] - y[i]) }
        return s / Double(p.count)
    }

    public static func bins(_ p: [Double], _ y: [Double], count b: Int) -> [Bin] {
        let n = p.count
        guard n > 0, b > 0 else { return [] }
        let order = p.indices.sorted { p[$0] < p[$1] }
        let nb = min(b, n)
        var out: [Bin] = []
        for k in 0..<nb {
            let lo = k * n / nb, hi = (k + 1) * n / nb
            guard hi > lo else { continue }
            var sp = 0.0, sy = 0.0
            for i in lo..<hi { sp += p[order[i]]; sy += y[order[i]] }
            let c = Double(hi - lo)
            out.append(Bin(count: hi - lo, meanPrediction: sp / c, meanOutcome: sy / c, lower: p[order[lo]], upper: p[order[hi - 1]]))
        }
        return out
    }

    /// ECE = Σ_b (n_b / n) · |mean p_b − mean y_b|.
    public static func ece(_ p: [Double], _ y: [Double], bins b: Int) -> Double {
        let bs = bins(p, y, count: b)
        let n = Double(p.count)
        guard n > 0 else { return .nan }
        return bs.reduce(0) { $0 + Double($1.count) / n * abs($1.meanPrediction - $1.meanOutcome) }
    }

    public static func evaluate(probabilities p: [Double], outcomes y: [Double], bins b: Int = 10,
                                bootstrap: BootstrapOptions = .init()) -> CalibrationReport
    {
        let n = p.count
        // One function per statistic serves the estimate and the replicates, on the same
        // resamples for both (paired).
        let (est, reps) = Bootstrap.joint(count: n, options: bootstrap, stream: 1, [
            { idx in Calibration.brier(idx.map { p[$0] }, idx.map { y[$0] }) },
            { idx in Calibration.ece(idx.map { p[$0] }, idx.map { y[$0] }, bins: b) },
        ])
        // Brier is a mean of per-item losses (unbiased under resampling): plain percentile.
        // ECE is inflated by resampling: bias-shifted percentile (see Bootstrap).
        let eceCI = Bootstrap.biasShiftedInterval(estimate: est[1], replicates: reps[1], options: bootstrap, range: 0...1)
        let acc = n > 0 ? y.reduce(0, +) / Double(n) : .nan
        let meanP = n > 0 ? p.reduce(0, +) / Double(n) : .nan
        return CalibrationReport(n: n, bins: bins(p, y, count: b), binCount: b,
                                 brier: Bootstrap.interval(estimate: est[0], replicates: reps[0], options: bootstrap),
                                 ece: eceCI.interval, eceBootstrapBias: eceCI.bias,
                                 accuracy: acc, meanPrediction: meanP, bootstrap: bootstrap)
    }
}

public struct CalibrationReport: Sendable {
    public var n: Int
    public var bins: [Calibration.Bin]
    public var binCount: Int
    public var brier: ConfidenceInterval
    public var ece: ConfidenceInterval
    /// Mean ECE over resamples minus the full-sample ECE (how much resampling inflates it).
    public var eceBootstrapBias: Double
    public var accuracy: Double
    public var meanPrediction: Double
    public var bootstrap: BootstrapOptions

    public var json: JSONValue {
        var o = JSONObject()
        o["benchmark"] = "calibration"
        o["n"] = .number(Double(n))
        o["brier"] = .number(brier.estimate)
        o["brier_ci"] = brier.json
        o["ece"] = .number(ece.estimate)
        o["ece_ci"] = ece.json
        o["ece_ci_method"] = "percentile interval shifted by the bootstrap bias (ECE is inflated on resamples), clamped to [0, 1]"
        o["ece_bootstrap_bias"] = .number(eceBootstrapBias)
        o["note"] = "calibration is computed by rewardkit, not by a benchmark's code; CIs are bootstrap (Brier and ECE on the same resamples)"
        o["ece_binning"] = .string("equal-mass, \(binCount) bins")
        o["base_rate"] = .number(accuracy)
        o["mean_prediction"] = .number(meanPrediction)
        o["reliability"] = .array(bins.map {
            ["count": .number(Double($0.count)), "mean_prediction": .number($0.meanPrediction),
             "mean_outcome": .number($0.meanOutcome), "lower": .number($0.lower), "upper": .number($0.upper)]
        })
        o["bootstrap"] = bootstrap.json
        return .object(o)
    }
}
