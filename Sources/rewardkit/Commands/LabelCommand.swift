import ArgumentParser
import Foundation
import RewardCore
import RewardLabel
import RewardSearch

/// `rewardkit label`: PRM step-label synthesis (Math-Shepherd MC, OmegaPRM, consensus) as a job in
/// SQLite that survives kill -9: rerun the same command and it continues where it stopped.
struct LabelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "label",
        abstract: "Synthesize PRM step labels by rollouts (mc, omegaprm, consensus); resumable jobs in SQLite.",
        subcommands: [LabelRunCommand.self, LabelStatusCommand.self],
        defaultSubcommand: LabelRunCommand.self
    )
}

struct LabelRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Label solutions (the default subcommand: `rewardkit label --method mc …`).",
        discussion: """
            Input records: `prompt` (or `problem`), `steps` (array of strings), gold answer in `reference`;
            optional `id` and a human first-error `label` (passed through). With --sample N the steps are not
            read: N solutions per problem are sampled first (same generator, stored in --db, split into steps
            on blank lines) and those are labeled (output records carry `sample`). Output: TRL stepwise records
            {prompt, completions, labels} plus soft_labels, rollouts per step, first_error, rollouts_used.
            Every rollout is stored in --db as it is made; rerunning the same command resumes the job and
            writes output identical to an uninterrupted run. A --db from another job is refused.
            """
    )

    @Option(help: "mc (Math-Shepherd), omegaprm (binary search + tree search) or consensus (mc ∩ step arithmetic checker).")
    var method: String

    @Option(name: .customLong("in"), help: "Solutions: JSONL/JSON with prompt, steps, reference.")
    var input: String

    @Option(help: "Job database (SQLite); created if absent, resumed if it holds this job.")
    var db: String

    @Option(help: "Output JSONL ('-' = stdout).")
    var out: String = "-"

    @Option(help: "Rollouts per step prefix (Math-Shepherd N / OmegaPRM k).")
    var rollouts: Int = 8

    @Option(help: "Maximum new tokens per rollout.")
    var maxTokens: Int = 256

    @Option(help: "Job seed; each rollout's seed derives from (seed, solution, prefix, index).")
    var seed: UInt64 = 0

    @Option(help: "Sampling temperature.")
    var temperature: Float = 0.7

    @Option(help: "Hard label = soft > this (0 = any rollout reaches the gold answer, Math-Shepherd's rule).")
    var hardThreshold: Double = 0

    @Option(help: "OmegaPRM: rollouts per question.")
    var rolloutBudget: Int = 200

    @Option(help: "OmegaPRM: binary searches per question (the given solution's included).")
    var maxSearches: Int = 20

    @Option(help: "Sample this many solutions per problem first and label those (0 = label the given steps).")
    var sample: Int = 0

    @Option(help: "Concurrent workers in this process (each claims whole solutions).")
    var workers: Int = 1

    @Option(help: "consensus: the second annotator: math_steps (step arithmetic checker) or a reward spec YAML with step scores (prm, hf_prm, judge…).")
    var annotator: String = "math_steps"

    @Option(help: "consensus with a reward spec annotator: a step is wrong when its score is below this.")
    var annotatorThreshold: Double = 0.5

    @Flag(help: "consensus: also write the solutions the annotators disagree on (with kept=false).")
    var includeDropped = false

    @OptionGroup var backend: GeneratorOptions

    func validate() throws {
        guard LabelParameters.Method(rawValue: method) != nil else {
            throw ValidationError("--method must be one of: \(LabelParameters.Method.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard (1...1024).contains(rollouts) else { throw ValidationError("--rollouts must be in 1…1024") }
        guard (1...8192).contains(maxTokens) else { throw ValidationError("--max-tokens must be in 1…8192") }
        guard (1...64).contains(workers) else { throw ValidationError("--workers must be in 1…64") }
        guard rolloutBudget >= 1, maxSearches >= 1 else { throw ValidationError("--rollout-budget and --max-searches must be ≥ 1") }
        guard (0...1024).contains(sample) else { throw ValidationError("--sample must be in 0…1024") }
    }

    func run() async throws {
        // Contexts are tokenized from text: a resumed job rebuilds them from the DB, where no token ids are stored.
        let made = try backend.makeGenerator(retokenizeContexts: true)
        let (generator, generatorIdentity) = (made.generator, made.identity)
        var p = LabelParameters(method: LabelParameters.Method(rawValue: method)!)
        p.rollouts = rollouts; p.maxTokens = maxTokens; p.seed = seed; p.temperature = temperature
        p.hardThreshold = hardThreshold; p.rolloutBudget = rolloutBudget; p.maxSearches = maxSearches
        p.generator = generatorIdentity
        p.sample = sample
        let stepAnnotator = try makeAnnotator()
        p.annotator = stepAnnotator.name
        let labelInput = try LabelInput.read(path: input, requireSteps: sample == 0)
        let store: LabelJobStore
        do {
            store = try LabelJobStore(path: db, parameters: p.canonical, method: p.method.rawValue, inputHash: labelInput.inputHash)
        } catch let e as LabelStoreError {
            throw ConfigError(e.description)
        }
        let job = LabelJob(parameters: p, store: store, generator: generator, annotator: stepAnnotator)
        let progress = ProgressReporter(label: "label \(p.method.rawValue)")
        let summary = try await job.run(labelInput, workers: workers) { done, total in
            progress.update(done: done, fraction: Double(done) / Double(max(total, 1)))
        }
        progress.finish()
        let output = try job.output(includeDropped: includeDropped)
        let sink = try OutputSink(path: out)
        try sink.write(Array(output.lines.map { $0 + "\n" }.joined().utf8))
        try sink.close()
        let status = try store.status()
        var s = JSONObject()
        s["method"] = .string(p.method.rawValue)
        s["solutions"] = .number(Double(summary.solutions))
        s["labeled_this_run"] = .number(Double(summary.labeledThisRun))
        s["records"] = .number(Double(output.records))
        s["errors"] = .number(Double(output.errors))
        if p.method == .consensus { s["dropped"] = .number(Double(output.dropped)) }
        s["rollouts_stored"] = .number(Double(status.rollouts))
        s["rollouts_new"] = .number(Double(summary.rolloutsStoredAfter - summary.rolloutsStoredBefore))
        if sample > 0 { s["samples_stored"] = .number(Double(status.samples)) }
        s["generated_tokens"] = .number(Double(status.generatedTokens))
        s["seconds"] = .number((summary.seconds * 100).rounded() / 100)
        s["generator"] = .string(generator.name)
        FileHandle.standardError.write(Data(("summary: " + JSONValue.object(s).jsonString + "\n").utf8))
    }
}

extension LabelRunCommand {
    /// The consensus annotator; a spec is named by its path, content hash and threshold, so editing the
    /// spec makes a different job.
    func makeAnnotator() throws -> any StepAnnotator {
        guard annotator != "math_steps" else { return ArithmeticAnnotator() }
        guard let bytes = FileManager.default.contents(atPath: annotator) else {
            throw ValidationError("--annotator: \(annotator) is neither math_steps nor a readable reward spec file")
        }
        let reward = try StandardRegistry.load(specPath: annotator).1
        return RewardSpecAnnotator(reward: reward, threshold: annotatorThreshold,
                                   name: "spec:\(annotator)#\(StableHash.hex(StableHash.fnv1a(bytes: bytes))) threshold=\(annotatorThreshold)")
    }
}

struct LabelStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Progress of a label job.")

    @Option(help: "Job database.")
    var db: String

    func run() async throws {
        let s: LabelJobStore.Status
        do { s = try LabelJobStore(existing: db).status() } catch let e as LabelStoreError { throw ConfigError(e.description) }
        var o = JSONObject()
        o["method"] = .string(s.method)
        o["solutions"] = .number(Double(s.total))
        o["done"] = .number(Double(s.done))
        o["errors"] = .number(Double(s.errors))
        o["in_progress"] = .number(Double(s.claimed))
        o["pending"] = .number(Double(s.pending))
        o["rollouts"] = .number(Double(s.rollouts))
        o["generated_tokens"] = .number(Double(s.generatedTokens))
        if s.samples > 0 {
            o["samples"] = .number(Double(s.samples))
            o["sample_tokens"] = .number(Double(s.sampleTokens))
        }
        o["parameters"] = .string(s.parameters.replacingOccurrences(of: "\n", with: ", "))
        print(JSONValue.object(o).jsonString)
    }
}
