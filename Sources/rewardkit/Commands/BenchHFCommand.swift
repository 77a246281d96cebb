import ArgumentParser
import Foundation
import RewardEngine

/// `rewardkit bench hf DIR`: reward-model scoring throughput of a Hugging Face checkpoint on random
/// token ids (batch × tokens), plus peak RSS. scripts/hf/bench_hf.py runs it beside transformers.
struct BenchHFCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hf", abstract: "Score random token sequences with a Hugging Face reward checkpoint; print JSON (sequences/s, peak RSS).")

    @Argument(help: "Checkpoint directory (config.json + safetensors).")
    var directory: String
    @Option(help: "Tokens per sequence.") var tokens: Int = 256
    @Option(help: "Sequences per batch.") var batch: Int = 8
    @Option(help: "Timed batches (after one warm-up batch).") var batches: Int = 2
    @Option(help: "Threads (default: all cores).") var threads: Int?
    @Option(help: "Weight memory: compact (bf16 tiles converted per sgemm) or dense (f32 copy).") var weights: String = "compact"

    func run() async throws {
        guard let mem = GGUFLanguageModel.WeightMemory(rawValue: weights) else { throw ValidationError("--weights: compact, dense or automatic") }
        let t0 = Date()
        let m: HFModel
        do { m = try HFModel(directory: directory, threads: threads, weightMemory: mem) } catch let e as EngineError { throw ValidationError(e.description) }
        let load = Date().timeIntervalSince(t0)
        var rng = SystemRandomNumberGenerator()
        let V = Int32(min(m.config.vocabSize, 32000))
        func make() -> [[Int32]] { (0..<batch).map { _ in (0..<tokens).map { _ in Int32.random(in: 1..<V, using: &rng) } } }
        _ = try m.sequenceScores(make())  // warm-up
        var secs: [Double] = []
        for _ in 0..<max(1, batches) {
            let b = make()
            let s = Date()
            _ = try m.sequenceScores(b)
            secs.append(Date().timeIntervalSince(s))
        }
        let best = secs.min()!
        let total = secs.reduce(0, +)
        let out: [String: Any] = [
            "impl": "rewardkit", "tokens": tokens, "batch": batch, "threads": m.threads, "weights": weights,
            "load_s": load, "batch_s": secs, "seq_per_s": Double(batch * secs.count) / total, "seq_per_s_best": Double(batch) / best,
            "peak_rss_mb": Double(EngineBenchmark.peakRSS()) / 1e6,
        ]
        let data = try JSONSerialization.data(withJSONObject: out, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }
}
