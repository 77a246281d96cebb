import RewardCore

/// The benchmark's own scoring code a report's numbers were checked against: the tests in
/// Tests/RewardEvalTests/BenchmarkFidelityTests.swift compare our metrics with what this
/// code computes on the fixtures in Tests/Fixtures/benchref (made by
/// scripts/benchref/make_fixtures.py from checkouts at these commits). Reports carry it under
/// `checked_against`, with `not_in_benchmark` naming what we add on top (CIs, curves).
public struct BenchmarkReference: Sendable, Hashable {
    public var repository: String
    public var commit: String
    public var code: [String]
    /// What the report adds that the benchmark's code does not compute.
    public var additions: [String]

    public var json: JSONValue {
        ["repository": .string(repository), "commit": .string(commit), "code": .array(code.map { .string($0) }),
         "fixtures": "Tests/Fixtures/benchref", "not_in_benchmark": .array(additions.map { .string($0) })]
    }

    static let ci = "bootstrap confidence intervals (the point estimate is the benchmark's number)"

    public static let rewardBench = BenchmarkReference(
        repository: "allenai/reward-bench", commit: "05a9005efb607249822c193590c8ecab87c77052",
        code: ["rewardbench/utils.py: calculate_scores_per_section", "rewardbench/constants.py: EXAMPLE_COUNTS, SUBSET_MAPPING",
               "scripts/run_rm.py: per-pair result, per-subset num_correct / num_total"],
        additions: [ci, "tie policy 'half' (the benchmark counts ties as wrong)", "mean margin", "paired A − B comparison",
                    "overall score = mean of the four sections (the leaderboard's definition)"])

    public static let rewardBench2 = BenchmarkReference(
        repository: "allenai/reward-bench", commit: "05a9005efb607249822c193590c8ecab87c77052",
        code: ["rewardbench/utils.py: reroll_and_score_dataset, _compute_prompt_stats, process_single_model",
               "scripts/run_v2.py: per-subset scoring"],
        additions: [ci, "overall score = mean of the subset scores (the leaderboard's definition)"])

    public static let processBench = BenchmarkReference(
        repository: "QwenLM/ProcessBench", commit: "e8024636bcabdf8bd514440551b531d3f90dd18b",
        code: ["code/run_eval.py: match, error/correct accuracy, f1"],
        additions: [ci, "pooled F1 over all splits", "threshold sweep over step scores",
                    "F1 = 0 when both accuracies are 0 (the script divides 0/0)", "Avg. F1 = mean of split F1s (the paper's definition)"])

    public static let rewardMATH = BenchmarkReference(
        repository: "kimsh0507/RewardMATH_official", commit: "cde06ab3f5466e1f94e74ba4fadf0e6561434ecb",
        code: ["src/evaluation/eval.py: _calculate_MRR, get_results 'reward Acc'"],
        additions: [ci])

    public static let humanEval = BenchmarkReference(
        repository: "openai/human-eval", commit: "6d43fb980f9fee3c892a914eda09951f772ad10d",
        code: ["human_eval/evaluation.py: estimate_pass_at_k"],
        additions: [ci, "pass@k over the problems with at least k samples (human-eval omits k unless every problem has k)"])
}
