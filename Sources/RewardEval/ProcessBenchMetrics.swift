import RewardCore

/// One ProcessBench sample with a prediction of its earliest wrong step.
public struct ProcessBenchItem: Sendable, Hashable {
    public var id: String?
    public var split: String
    /// Human label: 0-based index of the earliest wrong step, −1 when all steps are right.
    public var label: Int
    /// Predicted earliest wrong step (−1 = no error); nil when no prediction was given —
    /// counted as wrong, as ProcessBench counts an unparseable critic output.
    public var prediction: Int?
    public var stepScores: [Double]?

    public init(id: String? = nil, split: String, label: Int, prediction: Int?, stepScores: [Double]? = nil) {
        self.id = id
        self.split = split
        self.label = label
        self.prediction = prediction
        self.stepScores = stepScores
    }
}

/// ProcessBench metrics: accuracy on erroneous samples (prediction == label), accuracy on
/// correct samples (prediction == −1), F1 = their harmonic mean; per split, pooled over
/// all samples, and the mean of the per-split F1s (the paper's "Avg. F1"). The per-split
/// numbers are ProcessBench's `code/run_eval.py` as fractions instead of percentages
/// (checked by Tests/Fixtures/benchref/processbench.json, see `BenchmarkReference`); one
/// deliberate difference: when both accuracies are 0 the script divides 0/0 (NaN), we
/// report F1 = 0, the harmonic mean's limit, so one such split does not blank the average.
public enum ProcessBenchMetrics {
    /// First step whose score is below the threshold, −1 if none.
    public static func prediction(stepScores: [Double], threshold: Double) -> Int {
        stepScores.firstIndex { $0 < threshold } ?? -1
    }

    public static func f1(_ a: Double, _ b: Double) -> Double {
        guard !a.isNaN, !b.isNaN else { return .nan }
        return a + b > 0 ? 2 * a * b / (a + b) : 0
    }

    public struct Scores: Sendable, Hashable {
        public var errorAcc: Double
        public var correctAcc: Double
        public var f1: Double
        public var nError: Int
        public var nCorrect: Int
    }

    /// Point scores of a set of items (NaN accuracy when a class is absent).
    public static func scores(_ items: [ProcessBenchItem]) -> Scores {
        var eN = 0, eOK = 0, cN = 0, cOK = 0
        for it in items {
            if it.label >= 0 { eN += 1; if it.prediction == it.label { eOK += 1 } } else { cN += 1; if it.prediction == -1 { cOK += 1 } }
        }
        let ea = eN > 0 ? Double(eOK) / Double(eN) : .nan
        let ca = cN > 0 ? Double(cOK) / Double(cN) : .nan
        return Scores(errorAcc: ea, correctAcc: ca, f1: f1(ea, ca), nError: eN, nCorrect: cN)
    }

    public static func evaluate(_ items: [ProcessBenchItem], threshold: Double? = nil, sweep: [Double]? = nil,
                                bootstrap: BootstrapOptions = .init()) -> ProcessBenchReport
    {
        var splitOrder: [String] = []
        var bySplit: [String: [ProcessBenchItem]] = [:]
        for it in items {
            if bySplit[it.split] == nil { splitOrder.append(it.split) }
            bySplit[it.split, default: []].append(it)
        }
        // Strata: (split, class). Each resample keeps every split's class sizes, so both
        // accuracies stay defined and F1 is computed per replicate.
        var strata: [[Double]] = []
        for s in splitOrder {
            let its = bySplit[s]!
            strata.append(its.filter { $0.label >= 0 }.map { $0.prediction == $0.label ? 1 : 0 })
            strata.append(its.filter { $0.label < 0 }.map { $0.prediction == -1 ? 1 : 0 })
        }
        let reps = Bootstrap.stratifiedMeans(strata, options: bootstrap)
        let R = bootstrap.resamples
        var splits: [ProcessBenchReport.Split] = []
        var splitF1Reps: [[Double]] = []
        var pooledE = [Double](repeating: 0, count: R), pooledC = [Double](repeating: 0, count: R)
        var totalE = 0, totalC = 0
        for (k, s) in splitOrder.enumerated() {
            let p = scores(bySplit[s]!)
            let eReps = reps[2 * k], cReps = reps[2 * k + 1]
            let fReps = (0..<R).map { f1(eReps[$0], cReps[$0]) }
            splitF1Reps.append(fReps)
            for r in 0..<R {
                if p.nError > 0 { pooledE[r] += eReps[r] * Double(p.nError) }
                if p.nCorrect > 0 { pooledC[r] += cReps[r] * Double(p.nCorrect) }
            }
            totalE += p.nError
            totalC += p.nCorrect
            splits.append(.init(name: s, n: bySplit[s]!.count, scores: p,
                                errorAcc: Bootstrap.interval(estimate: p.errorAcc, replicates: eReps, options: bootstrap),
                                correctAcc: Bootstrap.interval(estimate: p.correctAcc, replicates: cReps, options: bootstrap),
                                f1: Bootstrap.interval(estimate: p.f1, replicates: fReps, options: bootstrap),
                                missing: bySplit[s]!.filter { $0.prediction == nil }.count))
        }
        let pe = (0..<R).map { totalE > 0 ? pooledE[$0] / Double(totalE) : .nan }
        let pc = (0..<R).map { totalC > 0 ? pooledC[$0] / Double(totalC) : .nan }
        let pf = (0..<R).map { f1(pe[$0], pc[$0]) }
        let overall = scores(items)
        let avgF1Point = splits.map(\.f1.estimate).reduce(0, +) / Double(max(splits.count, 1))
        let avgF1Reps = (0..<R).map { r in splitF1Reps.map { $0[r] }.reduce(0, +) / Double(max(splitF1Reps.count, 1)) }

        var sweepRows: [ProcessBenchReport.SweepRow] = []
        if let grid = sweep, items.allSatisfy({ $0.stepScores != nil }) {
            for t in grid {
                var moved = items
                for i in moved.indices { moved[i].prediction = prediction(stepScores: moved[i].stepScores!, threshold: t) }
                var perSplit: [String: Double] = [:]
                for s in splitOrder { perSplit[s] = scores(moved.filter { $0.split == s }).f1 }
                sweepRows.append(.init(threshold: t, overall: scores(moved), splitF1: perSplit))
            }
        }
        return ProcessBenchReport(
            n: items.count, threshold: threshold, overall: overall,
            errorAcc: Bootstrap.interval(estimate: overall.errorAcc, replicates: pe, options: bootstrap),
            correctAcc: Bootstrap.interval(estimate: overall.correctAcc, replicates: pc, options: bootstrap),
            f1: Bootstrap.interval(estimate: overall.f1, replicates: pf, options: bootstrap),
            averageF1: Bootstrap.interval(estimate: splits.isEmpty ? .nan : avgF1Point, replicates: avgF1Reps, options: bootstrap),
            splits: splits, sweep: sweepRows, splitOrder: splitOrder, missing: items.filter { $0.prediction == nil }.count,
            bootstrap: bootstrap)
    }

    /// Default sweep grid: 0…1 by 0.025 when all scores lie in [0, 1], else 41 evenly
    /// spaced points from the minimum to just above the maximum score.
    public static func defaultGrid(_ items: [ProcessBenchItem]) -> [Double] {
        let all = items.compactMap(\.stepScores).flatMap { $0 }
        guard let lo = all.min(), let hi = all.max() else { return [] }
        if lo >= 0 && hi <= 1 { return (0...40).map { Double($0) / 40 } }
        let top = hi + max(1e-9, (hi - lo) * 1e-6)
        return (0...40).map { lo + (top - lo) * Double($0) / 40 }
    }
}

public struct ProcessBenchReport: Sendable {
    public struct Split: Sendable {
        public var name: String
        public var n: Int
        public var scores: ProcessBenchMetrics.Scores
        public var errorAcc: ConfidenceInterval
        public var correctAcc: ConfidenceInterval
        public var f1: ConfidenceInterval
        public var missing: Int
    }
    public struct SweepRow: Sendable {
        public var threshold: Double
        public var overall: ProcessBenchMetrics.Scores
        public var splitF1: [String: Double]
    }

    public var n: Int
    public var threshold: Double?
    public var overall: ProcessBenchMetrics.Scores
    public var errorAcc: ConfidenceInterval
    public var correctAcc: ConfidenceInterval
    public var f1: ConfidenceInterval
    public var averageF1: ConfidenceInterval
    public var splits: [Split]
    public var sweep: [SweepRow]
    public var splitOrder: [String]
    public var missing: Int
    public var bootstrap: BootstrapOptions

    public var bestSweepRow: SweepRow? { sweep.max { ($0.overall.f1.isNaN ? -1 : $0.overall.f1) < ($1.overall.f1.isNaN ? -1 : $1.overall.f1) } }

    public var json: JSONValue {
        var o = JSONObject()
        o["benchmark"] = "processbench"
        o["n"] = .number(Double(n))
        if let t = threshold { o["threshold"] = .number(t) }
        o["error_acc"] = .number(errorAcc.estimate)
        o["correct_acc"] = .number(correctAcc.estimate)
        o["f1"] = .number(f1.estimate)
        o["error_acc_ci"] = errorAcc.json
        o["correct_acc_ci"] = correctAcc.json
        o["f1_ci"] = f1.json
        o["n_error"] = .number(Double(overall.nError))
        o["n_correct"] = .number(Double(overall.nCorrect))
        o["average_f1"] = .number(averageF1.estimate)
        o["average_f1_ci"] = averageF1.json
        o["missing_predictions"] = .number(Double(missing))
        o["splits"] = .object(JSONObject(splits.map { s in
            JSONMember(s.name, ["n": .number(Double(s.n)), "n_error": .number(Double(s.scores.nError)),
                                "n_correct": .number(Double(s.scores.nCorrect)),
                                "error_acc": .number(s.errorAcc.estimate), "error_acc_ci": s.errorAcc.json,
                                "correct_acc": .number(s.correctAcc.estimate), "correct_acc_ci": s.correctAcc.json,
                                "f1": .number(s.f1.estimate), "f1_ci": s.f1.json, "missing_predictions": .number(Double(s.missing))])
        }))
        if !sweep.isEmpty {
            o["threshold_sweep"] = .array(sweep.map { r in
                var ro = JSONObject()
                ro["threshold"] = .number(r.threshold)
                ro["error_acc"] = .number(r.overall.errorAcc)
                ro["correct_acc"] = .number(r.overall.correctAcc)
                ro["f1"] = .number(r.overall.f1)
                ro["split_f1"] = .object(JSONObject(splitOrder.map { JSONMember($0, .number(r.splitF1[$0] ?? .nan)) }))
                return .object(ro)
            })
            if let b = bestSweepRow {
                o["best_threshold"] = ["threshold": .number(b.threshold), "f1": .number(b.overall.f1),
                                       "note": "chosen on the evaluation data itself: optimistic"]
            }
        }
        o["bootstrap"] = bootstrap.json
        o["checked_against"] = BenchmarkReference.processBench.json
        return .object(o)
    }
}
