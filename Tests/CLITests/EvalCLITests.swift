import Foundation
import Testing
import RewardCore

/// The exact `rewardkit eval` contracts from the evaluation issue, through the real binary.
@Suite struct EvalCLITests {
    func tmp(_ name: String) -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rk-eval-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent(name).path
    }

    @Test func pairwiseWithConfigWritesReport() throws {
        let out = tmp("report.json")
        let r = try CLI.run(["eval", "pairwise", "--data", "examples/eval/pairs.jsonl", "--config", "examples/eval/length_longer.yaml", "--out", out])
        #expect(r.status == 0, "\(r.err)")
        let report = try JSONParser.parse(Data(contentsOf: URL(fileURLWithPath: out)))
        // Longer wins: pairs 1 and 4 have the longer chosen response, 2, 3 and 6 are the same
        // length (ties count as wrong), 5 has the shorter one → 2/6.
        #expect(report["accuracy"]?.doubleValue == 2.0 / 6)
        #expect(report["ties"]?.intValue == 3)
        #expect(report["subsets"]?["alpacaeval-easy"]?["accuracy"]?.doubleValue == 0.5)
        #expect(report["subsets"]?["math-prm"]?["accuracy"]?.doubleValue == 0.5)
        #expect(report["subsets"]?["donotanswer"]?["accuracy"]?.doubleValue == 0)
        #expect(report["subsets"]?["hep-python"]?["accuracy"]?.doubleValue == 0)
        let reasoning: Double = 0.5 * 984 / 1148
        #expect(report["sections"]?["Reasoning"]?["score"]?.doubleValue == reasoning)
        let ci = report["accuracy_ci"]?.arrayValue?.compactMap(\.doubleValue) ?? []
        #expect(ci.count == 2 && ci[0] <= 2.0 / 6 && 2.0 / 6 <= ci[1])
    }

    /// Hand-computed (the split is named after the data file): erroneous gsm8k-0..3 (labels 1, 1, 1, 2) predicted 1, 1, 2, 3 → 2/4;
    /// correct gsm8k-200..203 from step scores at threshold 0.5: only gsm8k-203 (0.3 at step 3)
    /// is flagged → 3/4; F1 = 2·0.5·0.75 / 1.25 = 0.6.
    @Test func processBenchWithPredictions() throws {
        let out = tmp("pb.json")
        let r = try CLI.run(["eval", "processbench", "--data", "examples/eval/processbench_gsm8k_sample.json",
                             "--predictions", "examples/eval/processbench_predictions.jsonl", "--threshold", "0.5", "--out", out])
        #expect(r.status == 0, "\(r.err)")
        let report = try JSONParser.parse(Data(contentsOf: URL(fileURLWithPath: out)))
        #expect(report["n"]?.intValue == 8)
        #expect(report["error_acc"]?.doubleValue == 0.5)
        #expect(report["correct_acc"]?.doubleValue == 0.75)
        #expect(abs((report["f1"]?.doubleValue ?? 0) - 0.6) < 1e-15)
        #expect(abs((report["splits"]?["processbench_gsm8k_sample"]?["f1"]?.doubleValue ?? 0) - 0.6) < 1e-15)
        #expect(abs((report["average_f1"]?.doubleValue ?? 0) - 0.6) < 1e-15)
        #expect(report["n_error"]?.intValue == 4 && report["n_correct"]?.intValue == 4)
        #expect(report["checked_against"]?["repository"]?.stringValue == "QwenLM/ProcessBench")
        let ci = report["f1_ci"]?.arrayValue?.compactMap(\.doubleValue) ?? []
        #expect(ci.count == 2 && ci[0] <= 0.6 && 0.6 <= ci[1])
    }

    /// Outcomes 1, tie (wrong), 1, 0, 1, 1 over subsets alpacaeval-easy ×2, math-prm ×2,
    /// donotanswer, hep-python.
    @Test func pairwiseWithScoresExactValues() throws {
        let out = tmp("pw.json")
        let r = try CLI.run(["eval", "pairwise", "--data", "examples/eval/pairs.jsonl", "--scores", "examples/eval/pair_scores.jsonl",
                             "--out", out])
        #expect(r.status == 0, "\(r.err)")
        let j = try JSONParser.parse(Data(contentsOf: URL(fileURLWithPath: out)))
        #expect(j["accuracy"]?.doubleValue == 4.0 / 6)
        #expect(j["ties"]?.intValue == 1)
        #expect(abs((j["mean_margin"]?.doubleValue ?? 0) - 3.7 / 6) < 1e-12)
        #expect(j["subsets"]?["alpacaeval-easy"]?["accuracy"]?.doubleValue == 0.5)
        #expect(j["subsets"]?["math-prm"]?["accuracy"]?.doubleValue == 0.5)
        #expect(j["subsets"]?["donotanswer"]?["accuracy"]?.doubleValue == 1)
        #expect(j["subsets"]?["hep-python"]?["accuracy"]?.doubleValue == 1)
        #expect(j["sections"]?["Chat"]?["score"]?.doubleValue == 0.5)
        #expect(j["sections"]?["Safety"]?["score"]?.doubleValue == 1)
        // Reasoning: math-prm weighs 984 against hep-python's 164.
        let reasoning: Double = (0.5 * 984 + 164) / 1148
        #expect(j["sections"]?["Reasoning"]?["score"]?.doubleValue == reasoning)
        #expect(j["sections"]?["Chat Hard"] == nil)
        #expect(j["rewardbench_score"] == nil)  // not all four sections present
    }

    /// A --scores file of the wrong shape: the message promised skipped lines it never
    /// printed, and exited 64 with a usage trailer.
    @Test func pairwiseWrongShapeScoresListsTheSkippedLines() throws {
        let bad = tmp("bad.jsonl")
        try Data("{\"id\": \"1\", \"score\": 0.5}\n{\"id\": \"2\", \"value\": 1}\n".utf8).write(to: URL(fileURLWithPath: bad))
        let r = try CLI.run(["eval", "pairwise", "--scores", bad])
        #expect(r.status == 1, "\(r.status) \(r.err)")
        #expect(r.err.contains("2 input line(s) skipped"))
        #expect(r.err.contains("line 1") && r.err.contains("line 2"))
        #expect(r.err.contains("score_chosen"))
        #expect(r.err.contains("no scorable pairs: all 2 input line(s) were skipped (listed above)"))
        #expect(!r.err.contains("USAGE"))
    }
}
