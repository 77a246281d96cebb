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
    @Option(help: "Weights: compact (bf16 tiles converted per sgemm), dense (f32 copy), automatic, q8 (quantized to Q8_0 at load, int8 kernel) or q7 (7-bit Q7_1 blocks, faster int8 kernel); q8/q7 are not the parity mode.")
    var weights: String = "compact"
    @Option(help: "Score these token ids instead (JSON array of id arrays) and print {\"scores\": …} (accuracy checks).")
    var inputs: String?

    func run() async throws {
        guard let mode = HFModel.weightMode(weights) else { throw ValidationError("--weights: one of \(HFModel.weightModeNames)") }
        let t0 = Date()
        let m: HFModel
        do { m = try HFModel(directory: directory, threads: threads, weightMemory: mode.memory, precision: mode.precision) }
        catch let e as EngineError { throw ValidationError(e.description) }
        let load = Date().timeIntervalSince(t0)
        if let path = inputs {
            guard let data = FileManager.default.contents(atPath: path),
                  let rows = (try? JSONSerialization.jsonObject(with: data)) as? [[Int]] else {
                throw ValidationError("--inputs \(path): expected a JSON array of token id arrays")
            }
            let scores: [[Float]]
            do { scores = try m.sequenceScores(rows.map { $0.map(Int32.init) }) } catch let e as EngineError { throw ValidationError(e.description) }
            let out = try JSONSerialization.data(withJSONObject: ["scores": scores.map { $0.map(Double.init) }, "weights": weights] as [String: Any])
            print(String(decoding: out, as: UTF8.self))
            return
        }
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
