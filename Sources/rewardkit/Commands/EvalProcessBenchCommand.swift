import ArgumentParser
import Foundation
import RewardCore
import RewardEval

struct EvalProcessBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "processbench",
        abstract: "ProcessBench: earliest-error accuracy on erroneous / correct samples and their F1.",
        discussion: """
            --data: ProcessBench JSON (problem, steps, label; repeat --data for several splits — the split is \
            the file name, e.g. gsm8k.json → gsm8k). --predictions: JSONL lines {"id": …, "prediction": int \
            (−1 = no error)} or {"id": …, "step_scores": [..]}; the predicted error is the first step scored \
            below --threshold (−1 if none). Predictions are matched by 'id' when every sample and every \
            prediction has one (the shared ProcessBench files carry ids like 'gsm8k-0'), else by 0-based \
            position. A sample without a prediction counts as wrong. With step scores a threshold sweep is \
            added. --config scores each sample's steps live with a step-level reward (e.g. math_steps).
            """
    )

    @Option(help: "ProcessBench data file(s); repeat for several splits.") var data: [String]
    @Option(help: "Prediction lines (JSONL).") var predictions: String?
    @Option(help: "Reward spec giving step rewards, scored live.") var config: String?
    @Option(help: "Step-score threshold: the first step below it is the predicted error.") var threshold: Double = 0.5
    @Option(help: "Also write the live predictions (id, prediction, step_scores) to this JSONL file.") var writePredictions: String?
    @Flag(help: "Skip the threshold sweep.") var noSweep = false
    @OptionGroup var output: EvalOutputOptions

    func validate() throws {
        guard !data.isEmpty else { throw ValidationError("--data is required") }
        guard (predictions != nil) != (config != nil) else { throw ValidationError("give exactly one of --predictions or --config") }
    }

    func run() async throws {
        var issues: [InputIssue] = []
        let items = try ProcessBenchInput.readData(paths: data, issues: &issues)
        guard !items.isEmpty else { throw EvalSupport.nothingUsable("no usable samples in --data", issues: issues) }
        var scored: [ProcessBenchItem]
        var matchedBy: String
        if let p = predictions {
            let preds = try ProcessBenchInput.readPredictions(path: p, issues: &issues)
            let j = ProcessBenchInput.join(data: items, predictions: preds, threshold: threshold, predictionsPath: p, issues: &issues)
            scored = j.items
            matchedBy = j.matchedBy
        } else {
            // Live: every sample's steps scored by the spec; its step rewards are the step scores.
            let fn = try EvalSupport.scorer(config!)
            let samples = items.map { Sample(id: $0.id, prompt: .text($0.problem), response: $0.steps.joined(separator: "\n\n"), steps: $0.steps) }
            let res = try await LiveScoring.score(samples, with: fn, label: "scoring steps")
            var noSteps = 0
            var lines = ""
            scored = []
            for (i, d) in items.enumerated() {
                let r = res[i]
                var steps: [Double]?
                if let e = r.error {
                    issues.append(InputIssue(file: "live", error: RecordError(line: d.index + 1, "sample \(d.id ?? "#\(d.index)"): scorer: \(e)")))
                } else if let s = r.stepRewards, s.count == d.steps.count {
                    steps = s
                } else { noSteps += 1 }
                let pred = steps.map { ProcessBenchMetrics.prediction(stepScores: $0, threshold: threshold) }
                scored.append(ProcessBenchItem(id: d.id, split: d.split, label: d.label, prediction: pred, stepScores: steps))
                if let steps, let pred {
                    var o = JSONObject()
                    o["id"] = .string(d.id ?? "\(d.index)")
                    o["prediction"] = .number(Double(pred))
                    o["step_scores"] = .array(steps.map { .number($0) })
                    lines += JSONValue.object(o).jsonString + "\n"
                }
            }
            if noSteps > 0 { EvalSupport.stderr("warning: \(noSteps) sample(s) got no per-step rewards from the scorer (counted as missing)") }
            if let w = writePredictions { try ReportWriter.writeText(lines, to: w) }
            matchedBy = "live scoring"
        }
        let joined = (items: scored, matchedBy: matchedBy)
        let hasScores = joined.items.allSatisfy { $0.stepScores != nil }
        let grid = (!noSweep && hasScores) ? ProcessBenchMetrics.defaultGrid(joined.items) : nil
        let usesThreshold = joined.items.contains { $0.stepScores != nil }
        let report = ProcessBenchMetrics.evaluate(joined.items, threshold: usesThreshold ? threshold : nil, sweep: grid,
                                                  bootstrap: output.bootstrapOptions)
        var json = report.json
        if case .object(var o) = json {
            o["matched_by"] = .string(joined.matchedBy)
            o["scorer"] = .string(config.map { "spec \($0)" } ?? "predictions \(predictions!)")
            json = .object(o)
        }
        var summary = ["processbench: \(report.n) samples (\(report.overall.nError) erroneous, \(report.overall.nCorrect) correct), matched by \(joined.matchedBy)"]
        if report.missing > 0 { summary.append("  warning: \(report.missing) sample(s) have no prediction and count as wrong") }
        summary.append("  error_acc \(report.errorAcc.formatted())  correct_acc \(report.correctAcc.formatted())  f1 \(report.f1.formatted())")
        for s in report.splits {
            summary.append("  \(s.name) (n=\(s.n)): error_acc \(s.errorAcc.formatted()) correct_acc \(s.correctAcc.formatted()) f1 \(s.f1.formatted())")
        }
        if report.splits.count > 1 { summary.append("  average F1 over splits: \(report.averageF1.formatted())") }
        if let b = report.bestSweepRow { summary.append("  best threshold \(Fmt.fixed(b.threshold, 3)): f1 \(Fmt.fixed(b.overall.f1, 3)) (tuned on this data)") }
        try EvalSupport.finish(json: json, issues: issues, html: report.html(), summary: summary, options: output)
    }
}
