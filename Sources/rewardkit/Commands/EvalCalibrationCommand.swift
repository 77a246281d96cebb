import ArgumentParser
import Foundation
import RewardCore
import RewardEval

struct EvalCalibrationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibration",
        abstract: "Calibration of probabilities vs outcomes: Brier, ECE (equal-mass bins), reliability diagram.",
        discussion: """
            --data: lines with a probability (--prob-field; default: first of prob, probability, confidence, \
            p_correct, score) and a 0/1 outcome (--label-field; default: first of label, correct, is_correct). \
            With --config the probability is the spec's reward for the line's response. --sigmoid maps raw \
            scores (logits) through σ first; values outside [0, 1] are rejected otherwise.
            """
    )

    @Option(help: "Predictions with outcomes.") var data: String
    @Option(help: "Reward spec whose reward is the probability, scored live.") var config: String?
    @Option(help: "Probability field.") var probField: String?
    @Option(help: "Outcome field.") var labelField: String?
    @Option(help: "Equal-mass bins for ECE and the reliability diagram.") var bins: Int = 10
    @Flag(help: "Apply the logistic sigmoid to the scores.") var sigmoid = false
    @OptionGroup var output: EvalOutputOptions

    func run() async throws {
        var issues: [InputIssue] = []
        let objs = try EvalInput.objects(path: data, issues: &issues)
        let pKeys = probField.map { [$0] } ?? ["prob", "probability", "confidence", "p_correct", "score"]
        let yKeys = labelField.map { [$0] } ?? ["label", "correct", "is_correct"]
        var live: [Double?]?
        if let config {
            var samples: [Sample] = [], lines: [Int] = []
            for (line, o) in objs {
                switch try? RecordDecoder.decode(o, line: line) {
                case .single(let s)?: samples.append(s)
                default: samples.append(Sample(response: EvalInput.string(o, ["response", "completion"]) ?? "", fields: o))
                }
                lines.append(line)
            }
            live = try await EvalSupport.scoreLive(samples, lines: lines, file: data, scorer: EvalSupport.scorer(config),
                                                   label: "scoring", issues: &issues).map { $0?.reward }
        }
        var p: [Double] = [], y: [Double] = []
        for (i, (line, o)) in objs.enumerated() {
            do {
                var prob: Double
                if let live {
                    guard let v = live[i] else { continue }
                    prob = v
                } else {
                    prob = try EvalInput.requireNumber(o, pKeys, line: line)
                }
                if sigmoid { prob = 1 / (1 + Foundation.exp(-prob)) }
                guard prob >= 0, prob <= 1 else {
                    throw RecordError(line: line, field: pKeys[0], "probability \(prob) outside [0, 1] (use --sigmoid for logits)")
                }
                guard let k = yKeys.first(where: { o[$0] != nil }), let t = EvalInput.truth(o[k]) else {
                    throw RecordError(line: line, field: yKeys[0], "missing or not a 0/1 / boolean outcome")
                }
                p.append(prob)
                y.append(t ? 1 : 0)
            } catch let e as RecordError { issues.append(InputIssue(file: data, error: e)) }
        }
        guard !p.isEmpty else { throw EvalSupport.nothingUsable("no usable predictions in --data", issues: issues) }
        let report = Calibration.evaluate(probabilities: p, outcomes: y, bins: bins, bootstrap: output.bootstrapOptions)
        let summary = ["calibration: n=\(report.n), Brier \(report.brier.formatted(digits: 4)), ECE \(report.ece.formatted(digits: 4)) (\(bins) equal-mass bins)"]
        try EvalSupport.finish(json: report.json, issues: issues, html: report.html(), summary: summary, options: output)
    }
}
