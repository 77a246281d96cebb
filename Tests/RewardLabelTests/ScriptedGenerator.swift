import Foundation
import RewardSearch
@testable import RewardLabel

/// A deterministic stand-in for the model, only for the algorithm tests (the method tests that
/// matter run the real model in CLITests/LabelCLITests): a rollout reaches the gold answer unless
/// the context contains a step marked "WRONG"; after a step marked "HALF" only seeds with an even
/// hash succeed. The gold answer is read from "GOLD=<n>" in the problem.
final class ScriptedGenerator: Generator, @unchecked Sendable {
    let lock = NSLock()
    private(set) var calls = 0
    private(set) var samples = 0
    /// Throw after this many calls (simulates a crash mid-job).
    var failAfterCalls: Int?

    var name: String { "scripted" }

    func renderPrompt(system: String?, user: String) -> String? { "<user>\(user)</user>\n" }

    func generate(_ jobs: [GenerationJob]) async throws -> [GenerationOutcome] {
        try lock.withLock {
            if let f = failAfterCalls, calls >= f { throw CancellationError() }
            calls += 1
            samples += jobs.reduce(0) { $0 + $1.seeds.count }
        }
        return jobs.map { job in
            let gold = job.context.range(of: "GOLD=").map { r in
                String(job.context[r.upperBound...].prefix { $0.isNumber })
            } ?? "0"
            return GenerationOutcome(samples: job.seeds.map { seed in
                let ok: Bool
                if job.context.contains("WRONG") { ok = false }
                else if job.context.contains("HALF") { ok = StableHash.mix(seed) % 2 == 0 }
                else { ok = true }
                let text = ok ? "Then we finish.\n\nThe answer is \(gold)." : "Then we slip.\n\nThe answer is 99999."
                return GeneratedText(text: text, finish: .end, completionTokens: 7)
            }, prefillTokens: 0, contextTokens: job.context.count)
        }
    }
}

func problem(line: Int = 1, steps: [String], gold: String = "12") -> LabelProblem {
    LabelProblem(line: line, id: "p\(line)", prompt: "GOLD=\(gold) How many?", steps: steps, reference: gold)
}

func tempDB(_ name: String = #function) -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rk-label-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir.appendingPathComponent("job.sqlite").path
}
