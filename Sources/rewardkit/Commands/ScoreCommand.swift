import ArgumentParser
import Foundation
import RewardCore

struct ScoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Score a JSONL file with a reward spec.",
        discussion: """
            Reads records (generic, TRL preference, RewardBench, HH-RLHF, ProcessBench, TRL stepwise; \
            .jsonl, .json array, or .gz) and writes one JSONL line per input line, in order: the input \
            fields plus `reward` and `rewards` (components). For preference pairs, `reward` is the margin \
            r(chosen) − r(rejected), with `reward_chosen` and `reward_rejected`. A line that cannot be \
            scored gets `reward: null` and an `error` naming the line and field; the rest are still scored. \
            A summary goes to stderr.
            """
    )

    @Option(name: .shortAndLong, help: "Reward spec (YAML).")
    var config: String

    @Option(name: .customLong("in"), help: "Input file, or '-' for stdin.")
    var input: String = "-"

    @Option(name: .shortAndLong, help: "Output JSONL file ('.gz' compresses), or '-' for stdout.")
    var out: String = "-"

    @Flag(help: "Stop at the first line that cannot be scored (exit code 1); the output keeps every line before it.")
    var strict = false

    @Option(help: "Worker tasks (default: number of cores).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Lines read per batch.")
    var batchSize: Int = 8192

    @Option(help: "Longest accepted input line in bytes; longer lines become error records.")
    var maxLineBytes: Int = LineReader.defaultMaxLineBytes

    @Flag(help: "Add each component's diagnostics (extracted answers, lengths, …) to the output.")
    var diagnostics = false

    @Option(help: "Write the summary JSON to this file as well.")
    var summary: String?

    @Flag(help: "Do not print the summary.")
    var quiet = false

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be ≥ 1") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be ≥ 1") }
        guard maxLineBytes >= 2 else { throw ValidationError("--max-line-bytes must be ≥ 2") }
    }

    func run() async throws {
        let (spec, reward) = try StandardRegistry.load(specPath: config)
        var pipeline = ScoringPipeline(reward: reward)
        pipeline.concurrency = threads
        pipeline.batchLines = batchSize
        pipeline.strict = strict
        pipeline.groupNormalization = spec.groupNormalization
        pipeline.includeDiagnostics = diagnostics
        let input = try RecordInput(path: self.input, maxLineBytes: maxLineBytes)
        let output = try OutputSink(path: out)
        let progress = ProgressReporter(label: "scoring")
        // On a stop the pipeline has written every line before it; they are published, then exit 1.
        let result = try await output.publishing {
            defer { progress.finish() }
            return try await pipeline.run(input: input, output: output, progress: progress)
        }
        let text = result.json.jsonString
        if !quiet { FileHandle.standardError.write(Data(("summary: " + text + "\n").utf8)) }
        if let summary { try Data((text + "\n").utf8).write(to: URL(fileURLWithPath: summary), options: .atomic) }
    }
}
