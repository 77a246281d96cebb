import ArgumentParser
import Foundation
import RewardEngine

struct BenchEngineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine", abstract: "Engine speed vs llama.cpp (same machine, same threads, same run).",
        discussion: """
            Workloads: prefill of a 512-token prompt; greedy decode of 64 tokens after contexts of 128 and 1024;
            teacher-forced log-probs of 64 sequences × 256 tokens. With a Python venv holding llama-cpp-python
            (--reference-venv, $REWARDKIT_REF_VENV, or ./.venv-ref), scripts/engine/bench_llamacpp.py runs the
            same token ids through llama.cpp and the ratios are printed.
            """)

    @OptionGroup var engine: EngineModelOptions

    @Option(name: .long, help: "Python venv with llama-cpp-python for the side-by-side run.")
    var referenceVenv: String?

    @Option(name: .long, help: "Path of scripts/engine/bench_llamacpp.py.")
    var referenceScript: String = "scripts/engine/bench_llamacpp.py"

    @Option(name: .long, help: "Decode steps per measurement.")
    var decodeSteps: Int = 64

    @Option(name: .long, help: "Sequences in the batched log-prob workload.")
    var sequences: Int = 64

    @Flag(name: .long, help: "Print JSON instead of a table.")
    var json = false

    func run() async throws {
        let m = try engine.load()
        let bench = EngineBenchmark(model: m)
        let threads = m.info.threads
        printError("model \(m.info.name), \(threads) threads, kernels \(EngineKernels.simd), weights \(m.hasDenseWeights ? "dense f32 copy" : "compact (dequantized on the fly)")")
        let prefill = bench.prefill(512)
        let dec128 = bench.decode(context: 128, steps: decodeSteps)
        let dec1024 = bench.decode(context: 1024, steps: decodeSteps)
        let lp = try await bench.batchedLogprobs(count: sequences, length: 256)
        let rss = EngineBenchmark.peakRSS()
        var ours: [String: Double] = ["prefill_tok_s": prefill, "decode128_tok_s": dec128, "decode1024_tok_s": dec1024,
                                      "logprob_seq_s": lp, "peak_rss_mb": Double(rss) / 1e6]
        var ref: [String: Double] = [:]
        let job: [String: Any] = [
            "model": m.info.path, "threads": threads, "repeats": 3,
            "prefill_tokens": bench.tokens(512).map { Int($0) },
            "decode": [128, 1024].map { ["tokens": bench.tokens($0).map { Int($0) }, "steps": decodeSteps] },
            "logprob_seqs": (0..<sequences).map { i in bench.tokens(256, variant: i).map { Int($0) } },
        ]
        if let obj = try runLlamaCppReference(venv: referenceVenv, script: referenceScript, job: job, name: "rk-bench") {
            let dec = obj["decode_tok_s"] as? [String: Double] ?? [:]
            ref = ["prefill_tok_s": obj["prefill_tok_s"] as? Double ?? .nan,
                   "decode128_tok_s": dec["128"] ?? .nan, "decode1024_tok_s": dec["1024"] ?? .nan,
                   "logprob_seq_s": obj["logprob_seq_s"] as? Double ?? .nan,
                   "peak_rss_mb": Double(obj["peak_rss_bytes"] as? Int ?? 0) / 1e6]
        }
        ours["threads"] = Double(threads)
        if json {
            print(engineJSON(["rewardkit": ours, "llama_cpp": ref, "threads": threads, "kernels": EngineKernels.simd,
                              "weights": m.hasDenseWeights ? "dense" : "compact"] as [String: Any]))
            return
        }
        let rows: [(String, String, String)] = [
            ("prefill 512 tokens", "prefill_tok_s", "tok/s"), ("decode @ctx 128", "decode128_tok_s", "tok/s"),
            ("decode @ctx 1024", "decode1024_tok_s", "tok/s"), ("logprobs 64×256", "logprob_seq_s", "seq/s"),
            ("peak RSS", "peak_rss_mb", "MB"),
        ]
        print("| workload (\(threads) threads) | RewardKit | llama.cpp | ratio |")
        print("|---|---:|---:|---:|")
        for (label, key, unit) in rows {
            let o = ours[key] ?? .nan
            let r = ref[key]
            let rs = r.map { String(format: "%.1f %@", $0, unit) } ?? "—"
            let ratio = r.map { String(format: "%.2f×", o / $0) } ?? "—"
            print("| \(label) | \(String(format: "%.1f %@", o, unit)) | \(rs) | \(ratio) |")
        }
    }
}
