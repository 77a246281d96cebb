import Foundation
import RewardCore
import Testing
@testable import RewardEval

@Suite struct BootstrapTests {
    @Test func quantileInterpolates() {
        #expect(Bootstrap.quantile(sorted: [0, 10], 0.25) == 2.5)
        #expect(Bootstrap.quantile(sorted: [1, 2, 3, 4, 5], 0.5) == 3)
    }

    @Test func seededAndReproducible() {
        let v = (0..<500).map { Double($0 % 3 == 0 ? 1 : 0) }
        let a = Bootstrap.mean(v, options: .init(resamples: 300, seed: 7))
        let b = Bootstrap.mean(v, options: .init(resamples: 300, seed: 7))
        let c = Bootstrap.mean(v, options: .init(resamples: 300, seed: 8))
        #expect(a == b)
        #expect(a.lower != c.lower || a.upper != c.upper)
        #expect(a.lower <= a.estimate && a.estimate <= a.upper)
        // Normal-approximation width for p = 1/3, n = 500 is ±0.041.
        #expect(abs((a.upper - a.lower) / 2 - 0.041) < 0.012)
    }

    @Test func constantDataHasZeroWidth() {
        let ci = Bootstrap.mean([1, 1, 1, 1], options: .init(resamples: 50))
        #expect(ci.lower == 1 && ci.upper == 1)
    }

    @Test func pairedBootstrap() {
        let a = [1.0, 1, 1, 1, 0, 1, 1, 1, 1, 1]
        let b = [0.0, 0, 1, 0, 0, 0, 1, 0, 0, 0]
        let p = Bootstrap.paired(a, b, options: .init(resamples: 500))
        #expect(abs(p.difference.estimate - 0.7) < 1e-12)
        #expect(p.difference.lower > 0)
        #expect(p.pValue < 0.05)
        let same = Bootstrap.paired(a, a, options: .init(resamples: 100))
        #expect(same.difference.estimate == 0 && same.pValue == 1)
    }
}

@Suite struct PairwiseTests {
    @Test func tiesCountAsRewardBenchCounts() {
        let pairs = [ScoredPair(chosen: 2, rejected: 1), ScoredPair(chosen: 1, rejected: 1), ScoredPair(chosen: 0, rejected: 3),
                     ScoredPair(chosen: 5, rejected: 4)]
        let loss = PairwiseAccuracy.evaluate(pairs, ties: .loss, bootstrap: .init(resamples: 50))
        #expect(loss.accuracy.estimate == 0.5)
        #expect(loss.ties == 1)
        let half = PairwiseAccuracy.evaluate(pairs, ties: .half, bootstrap: .init(resamples: 50))
        #expect(half.accuracy.estimate == 0.625)
        #expect(loss.json["accuracy"]?.doubleValue == 0.5)
    }

    @Test func sectionWeightingByPublishedCounts() {
        // Reasoning: math-prm (weight 984) at 1.0, hep-python (164) at 0.0, hep-go (164) at 0.5
        // → (984·1 + 164·0 + 164·0.5) / (984 + 328) = 1066 / 1312.
        let s = RewardBenchSections.scores(subsetAccuracy: ["math-prm": 1, "hep-python": 0, "hep-go": 0.5])
        #expect(s.count == 1 && s[0].section == "Reasoning")
        #expect(abs(s[0].score - 1066.0 / 1312.0) < 1e-12)
        // All of math-prm and all six code subsets: math weighs exactly half.
        var acc: [String: Double] = ["math-prm": 0.9]
        for l in ["cpp", "go", "java", "js", "python", "rust"] { acc["hep-\(l)"] = 0.5 }
        #expect(abs(RewardBenchSections.scores(subsetAccuracy: acc)[0].score - 0.7) < 1e-12)
        // Chat: alpacaeval-easy (100) 1.0, mt-bench-easy (28) 0.0 → 100/128.
        let chat = RewardBenchSections.scores(subsetAccuracy: ["alpacaeval-easy": 1, "mt-bench-easy": 0])
        #expect(abs(chat[0].score - 100.0 / 128.0) < 1e-12)
        #expect(RewardBenchSections.overall(chat) == nil)
    }

    @Test func perSubsetAndSectionsInReport() {
        var pairs: [ScoredPair] = []
        for i in 0..<40 { pairs.append(ScoredPair(subset: "alpacaeval-easy", chosen: i < 30 ? 1 : 0, rejected: 0.5)) }
        for i in 0..<10 { pairs.append(ScoredPair(subset: "mt-bench-hard", chosen: i < 5 ? 1 : 0, rejected: 0.5)) }
        for _ in 0..<10 { pairs.append(ScoredPair(subset: "donotanswer", chosen: 1, rejected: 0)) }
        for _ in 0..<10 { pairs.append(ScoredPair(subset: "math-prm", chosen: 0, rejected: 1)) }
        let r = PairwiseAccuracy.evaluate(pairs, bootstrap: .init(resamples: 200))
        #expect(r.subsets.map(\.name) == ["alpacaeval-easy", "mt-bench-hard", "donotanswer", "math-prm"])
        #expect(r.subsets[0].accuracy.estimate == 0.75)
        #expect(abs(r.accuracy.estimate - 45.0 / 70.0) < 1e-12)
        #expect(r.sections.map(\.name) == ["Chat", "Chat Hard", "Safety", "Reasoning"])
        #expect(abs(r.rewardBenchScore!.estimate - (0.75 + 0.5 + 1 + 0) / 4) < 1e-12)
        #expect(r.sections[2].score.lower == 1)  // a perfect subset has no spread
        let j = r.json
        #expect(j["subsets"]?["alpacaeval-easy"]?["accuracy"]?.doubleValue == 0.75)
        #expect(j["accuracy_ci"]?.arrayValue?.count == 2)
    }
}

@Suite struct RewardBench2Tests {
    @Test func bestOfFourWithTiePenalty() {
        #expect(RewardBench2.result(ScoredCandidates(chosen: [3], rejected: [1, 2, 0])) == 1)
        #expect(RewardBench2.result(ScoredCandidates(chosen: [3], rejected: [3, 2, 0])) == 0.5)
        #expect(RewardBench2.result(ScoredCandidates(chosen: [2], rejected: [3, 2, 0])) == 0)
        #expect(abs(RewardBench2.result(ScoredCandidates(chosen: [1], rejected: [1, 1, 1])) - 0.25) < 1e-12)
    }

    @Test func tiesComposite() {
        // Prompt 1: ref accurate (margin 1), tied accurate (correct 5, 4.5; best wrong 3 → margin 1.5 > spread 0.5).
        // Prompt 2: ref wrong (margin −1), tied accurate (correct 2, 1; wrong 0 → margin 1 > spread 1? no, equal).
        let rows = [
            ScoredCandidates(id: "ref:1", subset: "Ties", chosen: [4], rejected: [3, 2]),
            ScoredCandidates(id: "tied:1", subset: "Ties", chosen: [5, 4.5], rejected: [3]),
            ScoredCandidates(id: "ref:2", subset: "Ties", chosen: [0], rejected: [1]),
            ScoredCandidates(id: "tied:2", subset: "Ties", chosen: [2, 1], rejected: [0]),
        ]
        let t = RewardBench2.ties(rows)
        #expect(t.refAccuracy == 0.5)
        #expect(t.tiedAccuracy == 1)
        #expect(t.correctnessPreferred == 0.5)      // 1.5 > 0.5 yes; 1 > 1 no
        #expect(t.correctnessPreferredHard == 0.5)  // min(1, 1.5) = 1 > 0.5 yes; min(−1, 1) > 1 no
        let m = (tanh(1 / 0.5 - 1) + tanh(-1 / 1 - 1)) / 2
        #expect(abs(t.marginScore - m) < 1e-12)
        #expect(abs(t.score - (0.3 * 1 + 0.3 * 0.5 + 0.2 * 0.5 + 0.2 * 0.5 + 0.01 * m)) < 1e-12)
        let report = RewardBench2.evaluate(rows + [ScoredCandidates(subset: "Math", chosen: [1], rejected: [0, 0, 0])],
                                           bootstrap: .init(resamples: 100))
        #expect(abs(report.score.estimate - (t.score + 1) / 2) < 1e-12)
    }

    @Test func rewardMATHReciprocalRank() {
        #expect(RewardMATHMetrics.reciprocalRank(correct: 5, incorrect: [1, 2, 3]) == 1)
        #expect(RewardMATHMetrics.reciprocalRank(correct: 2, incorrect: [1, 3, 4]) == 1.0 / 3)
        // Tied with one incorrect at the top: RewardMATH ranks the correct one below it.
        #expect(RewardMATHMetrics.reciprocalRank(correct: 4, incorrect: [4, 1]) == 0.5)
        #expect(RewardMATHMetrics.reciprocalRank(correct: 0.5, incorrect: [Double](repeating: 0.5, count: 9)) == 0.1)
        let r = RewardMATHMetrics.evaluate([ScoredCandidates(chosen: [5], rejected: [1, 2]), ScoredCandidates(chosen: [1], rejected: [2, 3])],
                                           bootstrap: .init(resamples: 50))
        #expect(r.accuracy.estimate == 0.5)
        #expect(abs(r.mrr.estimate - (1 + 1.0 / 3) / 2) < 1e-12)
    }
}

@Suite struct ProcessBenchTests {
    @Test func predictionFromStepScores() {
        #expect(ProcessBenchMetrics.prediction(stepScores: [0.9, 0.8, 0.3, 0.1], threshold: 0.5) == 2)
        #expect(ProcessBenchMetrics.prediction(stepScores: [0.9, 0.8], threshold: 0.5) == -1)
        #expect(ProcessBenchMetrics.prediction(stepScores: [0.5], threshold: 0.5) == -1)  // strictly below
    }

    @Test func handComputedF1() {
        // Erroneous: labels 1, 2, 0, 3 predicted 1, 0, 0, -1 → 2/4. Correct: 3 samples predicted -1, -1, 2 → 2/3.
        let items = [
            ProcessBenchItem(split: "a", label: 1, prediction: 1), ProcessBenchItem(split: "a", label: 2, prediction: 0),
            ProcessBenchItem(split: "b", label: 0, prediction: 0), ProcessBenchItem(split: "b", label: 3, prediction: -1),
            ProcessBenchItem(split: "a", label: -1, prediction: -1), ProcessBenchItem(split: "b", label: -1, prediction: -1),
            ProcessBenchItem(split: "b", label: -1, prediction: 2),
        ]
        let r = ProcessBenchMetrics.evaluate(items, bootstrap: .init(resamples: 100))
        #expect(r.errorAcc.estimate == 0.5)
        #expect(abs(r.correctAcc.estimate - 2.0 / 3) < 1e-12)
        #expect(abs(r.f1.estimate - 2 * 0.5 * (2.0 / 3) / (0.5 + 2.0 / 3)) < 1e-12)
        // Split a: error 1/2, correct 1/1 → F1 2/3; split b: error 1/2, correct 1/2 → F1 1/2.
        #expect(r.splits.map(\.name) == ["a", "b"])
        #expect(abs(r.splits[0].f1.estimate - 2.0 / 3) < 1e-12)
        #expect(abs(r.splits[1].f1.estimate - 0.5) < 1e-12)
        #expect(abs(r.averageF1.estimate - (2.0 / 3 + 0.5) / 2) < 1e-12)
        let j = r.json
        for k in ["error_acc", "correct_acc", "f1", "n", "error_acc_ci", "correct_acc_ci", "f1_ci"] { #expect(j[k] != nil) }
    }

    @Test func missingPredictionCountsWrongAndSweepRuns() {
        let items = [
            ProcessBenchItem(split: "s", label: 1, prediction: nil),
            ProcessBenchItem(split: "s", label: -1, prediction: -1, stepScores: [0.9, 0.9]),
        ]
        let r = ProcessBenchMetrics.evaluate(items, bootstrap: .init(resamples: 20))
        #expect(r.errorAcc.estimate == 0 && r.missing == 1)
        let scored = [
            ProcessBenchItem(split: "s", label: 1, prediction: nil, stepScores: [0.9, 0.2]),
            ProcessBenchItem(split: "s", label: -1, prediction: nil, stepScores: [0.9, 0.6]),
        ]
        let s = ProcessBenchMetrics.evaluate(scored, sweep: [0.1, 0.5, 0.7], bootstrap: .init(resamples: 20))
        #expect(s.sweep.map(\.overall.f1) == [0, 1, 0])
        #expect(s.bestSweepRow?.threshold == 0.5)
    }

    @Test func matchesByIdOrPosition() {
        let data = [
            ProcessBenchInput.DataItem(id: "x-0", index: 0, split: "x", label: 1, problem: "", steps: ["a", "b"]),
            ProcessBenchInput.DataItem(id: "x-1", index: 1, split: "x", label: -1, problem: "", steps: ["a"]),
        ]
        var issues: [InputIssue] = []
        let byID = ProcessBenchInput.join(data: data, predictions: [.init(line: 1, id: "x-1", prediction: -1), .init(line: 2, id: "x-0", prediction: 1),
                                                                    .init(line: 3, id: "nope", prediction: 0)],
                                          threshold: 0.5, predictionsPath: "p", issues: &issues)
        #expect(byID.matchedBy == "id")
        #expect(byID.items.map(\.prediction) == [1, -1])
        #expect(issues.count == 1 && issues[0].error.field == "id" && issues[0].error.line == 3)
        let byPos = ProcessBenchInput.join(data: data, predictions: [.init(line: 1, stepScores: [0.9, 0.1]), .init(line: 2, prediction: 0)],
                                           threshold: 0.5, predictionsPath: "p", issues: &issues)
        #expect(byPos.matchedBy == "position")
        #expect(byPos.items.map(\.prediction) == [1, 0])
    }
}
