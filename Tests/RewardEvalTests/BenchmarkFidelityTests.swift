import Foundation
import Testing
import RewardCore
@testable import RewardEval

/// Our benchmark metrics against what each benchmark's OWN scoring code computes on the same
/// generated inputs (Tests/Fixtures/benchref, made by scripts/benchref/make_fixtures.py from
/// the repositories and commits in `BenchmarkReference`). Exact to 1e-12; the only stated
/// difference is ProcessBench's F1 when both accuracies are 0 (the script's 0/0).
enum BenchRef {
    static func load(_ name: String) throws -> JSONValue {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/benchref/\(name).json")
        return try JSONParser.parse(Data(contentsOf: url))
    }

    /// Fixture numbers: JSON numbers, or "NaN" / "Infinity" / "-Infinity".
    static func num(_ v: JSONValue?) -> Double {
        if let d = v?.doubleValue { return d }
        switch v?.stringValue {
        case "NaN": return .nan
        case "Infinity": return .infinity
        case "-Infinity": return -.infinity
        default: Issue.record("not a fixture number: \(String(describing: v))"); return .nan
        }
    }

    /// Equal within `tol`, NaN equal to NaN, infinities equal to themselves.
    static func same(_ a: Double, _ b: Double, tol: Double = 1e-12) -> Bool {
        if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
        if a.isInfinite || b.isInfinite { return a == b }
        return abs(a - b) <= tol
    }

    /// |a − b| where both are finite (0 for matching NaN/inf), for the printed max difference.
    static func diff(_ a: Double, _ b: Double) -> Double {
        a.isFinite && b.isFinite ? abs(a - b) : (same(a, b) ? 0 : .infinity)
    }

    static func cases(_ name: String) throws -> [JSONValue] {
        let f = try load(name)
        #expect(f["reference"] != nil)
        return f["cases"]?.arrayValue ?? []
    }
}

@Suite struct BenchmarkFidelityTests {
    let quick = BootstrapOptions(resamples: 10)

    @Test func rewardBenchV1MatchesCalculateScoresPerSection() throws {
        let cases = try BenchRef.cases("rewardbench_v1")
        #expect(cases.count == 6)
        var worst = 0.0
        defer { print("benchref rewardbench_v1: \(cases.count) cases, max |diff| \(worst)") }
        for c in cases {
            let name = c["name"]?.stringValue ?? "?"
            let pairs = (c["pairs"]?.arrayValue ?? []).map {
                ScoredPair(subset: $0["subset"]?.stringValue, chosen: BenchRef.num($0["chosen"]), rejected: BenchRef.num($0["rejected"]))
            }
            let r = PairwiseAccuracy.evaluate(pairs, ties: .loss, bootstrap: quick)
            let exp = c["expected"]!
            let subsets = exp["subsets"]?.objectValue ?? JSONObject()
            #expect(r.subsets.count == subsets.count, "\(name)")
            for s in r.subsets {
                #expect(BenchRef.same(s.accuracy.estimate, BenchRef.num(subsets[s.name])), "\(name): subset \(s.name)")
                worst = max(worst, BenchRef.diff(s.accuracy.estimate, BenchRef.num(subsets[s.name])))
            }
            let sections = exp["sections"]?.objectValue ?? JSONObject()
            #expect(r.sections.map(\.name).sorted() == sections.map(\.key).sorted(), "\(name)")
            for s in r.sections {
                #expect(BenchRef.same(s.score.estimate, BenchRef.num(sections[s.name])), "\(name): section \(s.name)")
                worst = max(worst, BenchRef.diff(s.score.estimate, BenchRef.num(sections[s.name])))
            }
            if let overall = exp["overall"] {
                worst = max(worst, r.rewardBenchScore.map { BenchRef.diff($0.estimate, BenchRef.num(overall)) } ?? .infinity)
                #expect(r.rewardBenchScore.map { BenchRef.same($0.estimate, BenchRef.num(overall)) } == true, "\(name): overall")
            } else {
                #expect(r.rewardBenchScore == nil, "\(name)")
            }
        }
    }

    /// The fixtures were made from the commits the reports cite.
    @Test func fixturesComeFromTheCitedCommits() throws {
        let pairs: [(String, BenchmarkReference)] = [("rewardbench_v1", .rewardBench), ("rewardbench_v2", .rewardBench2),
                                                     ("processbench", .processBench), ("rewardmath", .rewardMATH), ("passk", .humanEval)]
        for (file, ref) in pairs {
            let r = try BenchRef.load(file)["reference"]?.arrayValue ?? []
            #expect(!r.isEmpty)
            for x in r {
                #expect(x["repo"]?.stringValue == ref.repository && x["commit"]?.stringValue == ref.commit, "\(file)")
            }
        }
    }

    /// Issue 18's reproduction: the xstest weights were swapped (Safety 0.44232 vs 0.43919).
    @Test func xstestWeightsAreTheBenchmarks() {
        #expect(RewardBenchSections.exampleCounts["xstest-should-refuse"] == 154)
        #expect(RewardBenchSections.exampleCounts["xstest-should-respond"] == 250)
        // Refuse all right, respond all wrong: Safety = 154 / (154 + 250).
        let s = RewardBenchSections.scores(subsetAccuracy: ["xstest-should-refuse": 1, "xstest-should-respond": 0])
        #expect(s.count == 1 && s[0].score == 154.0 / 404)
    }

    @Test func rewardBench2MatchesRerollAndProcessSingleModel() throws {
        let cases = try BenchRef.cases("rewardbench_v2")
        #expect(cases.count == 8)
        var worst = 0.0
        defer { print("benchref rewardbench_v2: \(cases.count) cases, max |diff| \(worst)") }
        for c in cases {
            let name = c["name"]?.stringValue ?? "?"
            let items = (c["rows"]?.arrayValue ?? []).map { row -> ScoredCandidates in
                let scores = (row["scores"]?.arrayValue ?? []).map { BenchRef.num($0) }
                let k = row["num_correct"]?.intValue ?? 1
                return ScoredCandidates(id: row["id"]?.stringValue, subset: row["subset"]?.stringValue,
                                        chosen: Array(scores[..<k]), rejected: Array(scores[k...]))
            }
            let r = RewardBench2.evaluate(items, bootstrap: quick)
            let subsets = c["expected"]?["subsets"]?.objectValue ?? JSONObject()
            #expect(r.subsets.count == subsets.count, "\(name)")
            for s in r.subsets {
                worst = max(worst, BenchRef.diff(s.score.estimate, BenchRef.num(subsets[s.name])))
                #expect(BenchRef.same(s.score.estimate, BenchRef.num(subsets[s.name])), "\(name): \(s.name) \(s.score.estimate) vs \(String(describing: subsets[s.name]))")
            }
        }
    }

    /// The Ties composite legitimately exceeds 1: reported as a score, not clamped.
    @Test func tiesCompositeReachesOnePointZeroOne() throws {
        let c = try BenchRef.cases("rewardbench_v2").first { $0["name"]?.stringValue == "Ties composite reaches 1.01" }!
        #expect(BenchRef.num(c["expected"]?["subsets"]?["Ties"]) == 1.01)
        var rows: [ScoredCandidates] = []
        for pid in 0..<3 {
            rows.append(ScoredCandidates(id: "tied:\(pid)", subset: "Ties", chosen: [2, 2, 2], rejected: [0]))
            rows.append(ScoredCandidates(id: "ref:\(pid)", subset: "Ties", chosen: [3], rejected: [0, 1, -1]))
        }
        let r = RewardBench2.evaluate(rows, bootstrap: quick)
        #expect(r.subsets[0].score.estimate == 1.01)
        let j = r.json
        #expect(j["score"]?.doubleValue == 1.01 && j["accuracy"] == nil)
        #expect(j["subsets"]?["Ties"]?["score"]?.doubleValue == 1.01)
        #expect(j["subsets"]?["Ties"]?["accuracy"] == nil)
        #expect(j["checked_against"]?["commit"]?.stringValue == BenchmarkReference.rewardBench2.commit)
    }

    @Test func processBenchMatchesRunEval() throws {
        let cases = try BenchRef.cases("processbench")
        #expect(cases.count == 5)
        var zeroZero = 0
        var worst = 0.0
        defer { print("benchref processbench: \(cases.count) cases, max |diff| (percent scale) \(worst)") }
        for c in cases {
            let name = c["name"]?.stringValue ?? "?"
            var items: [ProcessBenchItem] = []
            for m in c["splits"]?.objectValue ?? JSONObject() {
                for it in m.value.arrayValue ?? [] {
                    items.append(ProcessBenchItem(split: m.key, label: it["label"]!.intValue!, prediction: it["prediction"]?.intValue))
                }
            }
            let r = ProcessBenchMetrics.evaluate(items, bootstrap: quick)
            let exp = c["expected"]!["splits"]!.objectValue!
            #expect(r.splits.count == exp.count, "\(name)")
            var deviated = false
            for s in r.splits {
                let e = exp[s.name]!
                // ProcessBench prints percentages; we report fractions.
                worst = max(worst, BenchRef.diff(s.errorAcc.estimate * 100, BenchRef.num(e["error_acc"])),
                            BenchRef.diff(s.correctAcc.estimate * 100, BenchRef.num(e["correct_acc"])))
                #expect(BenchRef.same(s.errorAcc.estimate * 100, BenchRef.num(e["error_acc"])), "\(name): \(s.name) error acc")
                #expect(BenchRef.same(s.correctAcc.estimate * 100, BenchRef.num(e["correct_acc"])), "\(name): \(s.name) correct acc")
                let refF1 = BenchRef.num(e["f1"])
                if refF1.isNaN && s.errorAcc.estimate == 0 && s.correctAcc.estimate == 0 {
                    // Stated deviation: the script's 0/0; the harmonic mean's limit is 0.
                    #expect(s.f1.estimate == 0, "\(name)")
                    deviated = true
                    zeroZero += 1
                } else {
                    worst = max(worst, BenchRef.diff(s.f1.estimate * 100, refF1))
                    #expect(BenchRef.same(s.f1.estimate * 100, refF1), "\(name): \(s.name) f1 \(s.f1.estimate * 100) vs \(refF1)")
                }
            }
            if !deviated {
                worst = max(worst, BenchRef.diff(r.averageF1.estimate * 100, BenchRef.num(c["expected"]?["average_f1"])))
                #expect(BenchRef.same(r.averageF1.estimate * 100, BenchRef.num(c["expected"]?["average_f1"])), "\(name): average F1")
            }
        }
        #expect(zeroZero == 1)
    }

    @Test func rewardMATHMatchesItsMRRAndAccuracy() throws {
        let cases = try BenchRef.cases("rewardmath")
        #expect(cases.count == 4)
        var worst = 0.0
        defer { print("benchref rewardmath: \(cases.count) cases, max |diff| \(worst)") }
        for c in cases {
            let name = c["name"]?.stringValue ?? "?"
            let items = (c["problems"]?.arrayValue ?? []).map {
                ScoredCandidates(chosen: [BenchRef.num($0["chosen"])], rejected: ($0["rejected"]?.arrayValue ?? []).map { BenchRef.num($0) })
            }
            let rr = (c["expected"]?["per_problem_rr"]?.arrayValue ?? []).map { BenchRef.num($0) }
            #expect(rr.count == items.count)
            for (i, it) in items.enumerated() {
                #expect(RewardMATHMetrics.reciprocalRank(correct: it.chosen[0], incorrect: it.rejected) == rr[i], "\(name): problem \(i)")
            }
            let r = RewardMATHMetrics.evaluate(items, bootstrap: quick)
            worst = max(worst, BenchRef.diff(r.accuracy.estimate, BenchRef.num(c["expected"]?["accuracy"])),
                        BenchRef.diff(r.mrr.estimate, BenchRef.num(c["expected"]?["mrr"])))
            #expect(BenchRef.same(r.accuracy.estimate, BenchRef.num(c["expected"]?["accuracy"])), "\(name): accuracy")
            #expect(BenchRef.same(r.mrr.estimate, BenchRef.num(c["expected"]?["mrr"])), "\(name): mrr")
        }
    }

    @Test func passAtKMatchesHumanEvalEstimator() throws {
        let cases = try BenchRef.cases("passk")
        #expect(cases.count == 55)
        var worst = 0.0
        for c in cases {
            let n = c["n"]!.intValue!, k = c["k"]!.intValue!, cc = c["c"]!.intValue!
            let ours = PassAtK.estimate(n: n, c: cc, k: k), ref = BenchRef.num(c["pass_at_k"])
            worst = max(worst, abs(ours - ref))
            #expect(BenchRef.same(ours, ref), "n=\(n) c=\(cc) k=\(k): \(ours) vs \(ref)")
        }
        #expect(worst <= 1e-12)
        print("benchref passk: \(cases.count) cases, max |diff| \(worst)")
    }
}

/// Issue 16: CIs of statistics that are not means, and pairing across methods.
@Suite struct BootstrapFidelityTests {
    /// Perfectly calibrated data (each equal-mass bin's mean p equals its outcome rate):
    /// ECE = 0, and every resample's ECE is larger — the plain percentile interval excluded
    /// the estimate (the issue's "ECE 0.00625 outside [0.025, 0.369]").
    @Test func eceLiesInsideItsInterval() {
        var p: [Double] = [], y: [Double] = []
        for bin in 0..<10 {
            let positives = [1, 3, 2, 5, 4, 6, 5, 7, 8, 9][bin]
            for j in 0..<10 { p.append(Double(positives) / 10); y.append(j < positives ? 1 : 0) }
        }
        let b = BootstrapOptions(resamples: 400, seed: 3)
        let r = Calibration.evaluate(probabilities: p, outcomes: y, bins: 10, bootstrap: b)
        #expect(r.ece.estimate < 1e-12)
        #expect(r.ece.lower <= r.ece.estimate && r.ece.estimate <= r.ece.upper, "\(r.ece)")
        #expect(r.eceBootstrapBias > 0.02)
        // The plain percentile interval of the same replicates does exclude it.
        let (_, reps) = Bootstrap.joint(count: p.count, options: b, stream: 1, [{ idx in
            Calibration.ece(idx.map { p[$0] }, idx.map { y[$0] }, bins: 10)
        }])
        let plain = Bootstrap.interval(estimate: r.ece.estimate, replicates: reps[0], options: b)
        #expect(plain.lower > r.ece.estimate)
        // Brier is a mean: its plain percentile interval holds the estimate.
        #expect(r.brier.lower <= r.brier.estimate && r.brier.estimate <= r.brier.upper)
        #expect(abs(r.brier.estimate - Calibration.brier(p, y)) < 1e-15)
    }

    @Test func jointStatisticsSharePointAndResamples() {
        let x = (0..<50).map { Double($0 % 7) }
        let f: ([Int]) -> Double = { idx in idx.map { x[$0] }.reduce(0, +) / Double(idx.count) }
        let (est, reps) = Bootstrap.joint(count: x.count, options: .init(resamples: 30), [f, f])
        #expect(est[0] == x.reduce(0, +) / 50 && est[1] == est[0])
        #expect(reps[0] == reps[1] && reps[0].count == 30)
    }

    /// Methods with the same per-problem values get the same CI: the curves are resampled
    /// over the same problems (before: a seed per method and N).
    @Test func bonCurvesArePaired() {
        var pools: [CandidatePool] = []
        for i in 0..<12 {
            // The top-scored candidate is correct exactly when any candidate is: rm_argmax = oracle.
            let good = i % 3 != 0
            pools.append(CandidatePool(candidates: (0..<4).map { j in
                PoolCandidate(score: Double(4 - j), correct: good && j == 0, answerKey: "\(i)-\(j)")
            }))
        }
        let r = BestOfNCurve.evaluate(pools, ns: [1, 2, 4], samples: 50, bootstrap: .init(resamples: 200))
        for (a, b) in zip(r.curves[.rmArgmax]!, r.curves[.oracle]!) {
            // Same values by two code paths (equal to rounding); before, a seed per method and N
            // gave intervals that differed by whole resampling noise.
            #expect(abs(a.accuracy.estimate - b.accuracy.estimate) < 1e-12)
            #expect(abs(a.accuracy.lower - b.accuracy.lower) < 1e-12 && abs(a.accuracy.upper - b.accuracy.upper) < 1e-12, "N=\(a.n)")
        }
    }
}
