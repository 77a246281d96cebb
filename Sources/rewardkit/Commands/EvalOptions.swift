import ArgumentParser
import Foundation
import RewardCore
import RewardEval

/// Options every `rewardkit eval` subcommand shares.
struct EvalOutputOptions: ParsableArguments {
    @Option(help: "Write the JSON report to this file.")
    var out: String?

    @Option(help: "Write a self-contained HTML report (inline SVG charts) to this file.")
    var html: String?

    @Option(help: "Bootstrap resamples for confidence intervals.")
    var bootstrap: Int = 1000

    @Option(help: "Seed for the bootstrap and any subsampling.")
    var seed: UInt64 = 0

    @Option(help: "Confidence level of the intervals.")
    var level: Double = 0.95

    @Flag(help: "Do not print the human-readable summary (the JSON report is still printed).")
    var quiet = false

    @Flag(help: "Do not print the JSON report to stdout.")
    var noJson = false

    func validate() throws {
        guard bootstrap >= 1 else { throw ValidationError("--bootstrap must be ≥ 1") }
        guard level > 0, level < 1 else { throw ValidationError("--level must be in (0, 1)") }
    }

    var bootstrapOptions: BootstrapOptions { BootstrapOptions(resamples: bootstrap, level: level, seed: seed) }
}

/// An input that leaves nothing to evaluate (exit 1, without a usage trailer).
struct EvalInputError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

enum EvalSupport {
    /// Builds the scorer a reward spec describes (all reward types this build knows).
    static func scorer(_ specPath: String) throws -> any RewardFunction {
        try StandardRegistry.load(specPath: specPath).1
    }

    static func seconds(since t: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock.now - t
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    static func stderr(_ s: String) { FileHandle.standardError.write(Data((s + "\n").utf8)) }

    /// Reports skipped lines: the count and the first few, each naming line and field.
    static func report(_ issues: [InputIssue], quiet: Bool) {
        guard !issues.isEmpty else { return }
        let issues = sortedIssues(issues)
        stderr("warning: \(issues.count) input line(s) skipped:")
        for i in issues.prefix(10) { stderr("  \(i)") }
        if issues.count > 10 { stderr("  … and \(issues.count - 10) more") }
    }

    /// The error for "nothing left to evaluate". The skipped lines are the reason, so they
    /// are printed first (a throw skips `finish`, which would otherwise print them) and the
    /// message says how many there were; not a usage error, so no usage trailer.
    static func nothingUsable(_ what: String, issues: [InputIssue]) -> EvalInputError {
        report(issues, quiet: false)
        return EvalInputError(issues.isEmpty ? "\(what): the input has no records"
                                             : "\(what): all \(issues.count) input line(s) were skipped (listed above)")
    }

    /// In file order, then line order (parse errors are found before field errors).
    static func sortedIssues(_ issues: [InputIssue]) -> [InputIssue] {
        issues.enumerated().sorted { ($0.element.file, $0.element.error.line, $0.offset) < ($1.element.file, $1.element.error.line, $1.offset) }.map(\.element)
    }

    static func issuesJSON(_ issues: [InputIssue]) -> JSONValue {
        let issues = sortedIssues(issues)
        return ["count": .number(Double(issues.count)), "first": .array(issues.prefix(20).map { .string($0.description) })]
    }

    /// Prints the summary and the JSON, writes --out and --html.
    static func finish(json: JSONValue, issues: [InputIssue], html: @autoclosure () -> HTMLReport, summary: [String],
                       options: EvalOutputOptions) throws
    {
        var json = json
        if !issues.isEmpty, case .object(var o) = json {
            o["skipped_lines"] = issuesJSON(issues)
            json = .object(o)
        }
        report(issues, quiet: options.quiet)
        if !options.quiet { for l in summary { stderr(l) } }
        if let out = options.out { try ReportWriter.write(json, to: out) }
        if let path = options.html {
            try ReportWriter.writeText(html().render(), to: path)
            if !options.quiet { stderr("html report: \(path)") }
        }
        if !options.noJson { FileHandle.standardOutput.write(Data((ReportWriter.pretty(json) + "\n").utf8)) }
    }

    static func parseInts(_ s: String, name: String) throws -> [Int] {
        let v = s.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !v.isEmpty, v.allSatisfy({ ($0 ?? 0) >= 1 }) else { throw ValidationError("\(name) must be a comma-separated list of positive integers") }
        return v.map { $0! }
    }

    /// Scores responses live and returns one score per sample; failed samples are nil and
    /// their errors are recorded (with the input line) in `issues`.
    static func scoreLive(_ samples: [Sample], lines: [Int], file: String, scorer: any RewardFunction, label: String,
                          issues: inout [InputIssue]) async throws -> [RewardResult?]
    {
        let res = try await LiveScoring.score(samples, with: scorer, label: label)
        return res.enumerated().map { i, r in
            if let e = r.error {
                issues.append(InputIssue(file: file, error: RecordError(line: lines[i], "scorer: \(e)")))
                return nil
            }
            return r
        }
    }
}
