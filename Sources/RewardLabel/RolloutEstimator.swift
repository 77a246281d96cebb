import RewardSearch
import RewardVerifiers

/// A prefix whose value is estimated by rollouts: `text` is what follows the rendered prompt.
public struct PrefixNode: Sendable, Hashable {
    public var key: String
    public var text: String
    public init(key: String, text: String) { self.key = key; self.text = text }
}

/// The MC value of a prefix and the rollouts behind it.
public struct NodeEstimate: Sendable, Hashable {
    public var node: PrefixNode
    public var rollouts: [LabelJobStore.Rollout]
    public var value: Double { rollouts.isEmpty ? 0 : Double(rollouts.filter(\.correct).count) / Double(rollouts.count) }
}

/// Per-solution failure (a generator job error, an unparseable gold answer): recorded for that
/// solution; the job goes on.
public struct SolutionError: Error, Sendable, CustomStringConvertible {
    public var field: String?
    public var message: String
    public init(field: String? = nil, _ message: String) { self.field = field; self.message = message }
    public var description: String { field.map { "field '\($0)': \(message)" } ?? message }
}

/// Estimates MC values of prefixes, memoized in the job store: rollouts already stored are read,
/// the missing ones are sampled in one generate call (all nodes' samples decoded together, sharing
/// the prompt's KV) and stored in one transaction, so a kill loses at most that call.
public struct RolloutEstimator: Sendable {
    public let store: LabelJobStore
    public let generator: any Generator
    public let parameters: LabelParameters
    public let worker: WorkerIdentity
    public let verifier = MathVerifier()

    public init(store: LabelJobStore, generator: any Generator, parameters: LabelParameters, worker: WorkerIdentity) {
        self.store = store; self.generator = generator; self.parameters = parameters; self.worker = worker
    }

    /// The rendered prompt a solution's steps continue.
    public func prompt(for problem: LabelProblem) -> String {
        let user = parameters.instruction.isEmpty ? problem.prompt : parameters.instruction + "\n\n" + problem.prompt
        return generator.renderPrompt(system: nil, user: user) ?? user + "\n\n"
    }

    /// Whether `solutionText` (prefix + completion) ends with the gold answer.
    public func reachesGold(_ solutionText: String, problem: LabelProblem) -> Bool {
        verifier.verify(gold: problem.reference, prediction: solutionText).correct
    }

    public func estimate(_ nodes: [PrefixNode], problem: LabelProblem, prompt: String) async throws -> [NodeEstimate] {
        let k = parameters.rollouts
        var stored: [[Int: LabelJobStore.Rollout]] = []
        var jobs: [GenerationJob] = []
        var jobNode: [(node: Int, indices: [Int])] = []
        for (n, node) in nodes.enumerated() {
            let have = try store.rollouts(solution: problem.key, node: node.key)
            stored.append(have)
            let missing = (0..<k).filter { have[$0] == nil }
            guard !missing.isEmpty else { continue }
            let seeds = missing.map { RolloutKey(solution: problem.key, node: node.key, index: $0).seed(jobSeed: parameters.seed) }
            // stop = []: a rollout runs to the end of the answer (or max tokens), then is checked.
            jobs.append(GenerationJob(context: prompt + node.text, stop: [], maxTokens: parameters.maxTokens,
                                      temperature: parameters.temperature, topP: parameters.topP, topK: parameters.topK,
                                      seeds: seeds))
            jobNode.append((n, missing))
        }
        if !jobs.isEmpty {
            let outcomes = try await generator.generate(jobs)
            guard outcomes.count == jobs.count else {
                throw SolutionError("generator returned \(outcomes.count) results for \(jobs.count) jobs")
            }
            var rows: [LabelJobStore.Rollout] = []
            for (j, outcome) in outcomes.enumerated() {
                let (n, indices) = jobNode[j]
                if let e = outcome.error { throw SolutionError("generation failed for prefix \(nodes[n].key): \(e)") }
                guard outcome.samples.count == indices.count else {
                    throw SolutionError("generator returned \(outcome.samples.count) samples for \(indices.count) seeds")
                }
                for (i, sample) in zip(indices, outcome.samples) {
                    let key = RolloutKey(solution: problem.key, node: nodes[n].key, index: i)
                    rows.append(.init(key: key, seed: key.seed(jobSeed: parameters.seed), text: sample.text,
                                      finish: sample.finish.rawValue, tokens: sample.completionTokens,
                                      correct: reachesGold(nodes[n].text + sample.text, problem: problem)))
                }
            }
            try store.insert(rows, worker: worker)
            // Read back: what is stored is what counts (identical on resume).
            for (n, _) in jobNode { stored[n] = try store.rollouts(solution: problem.key, node: nodes[n].key) }
        }
        return nodes.enumerated().map { n, node in
            NodeEstimate(node: node, rollouts: (0..<k).compactMap { stored[n][$0] })
        }
    }
}

/// Step text as it appears in contexts: a step is text up to and including the "\n\n" delimiter.
public enum StepText {
    public static let delimiter = "\n\n"

    public static func prefix(_ steps: some Collection<String>) -> String {
        steps.map { $0 + delimiter }.joined()
    }

    /// Splits generated text into steps on blank lines (delimiters dropped, empty pieces skipped).
    public static func split(_ text: String) -> [String] {
        text.components(separatedBy: delimiter).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
    }
}

import Foundation
