import ArgumentParser
import Foundation
import RewardEngine

struct BenchGenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate", abstract: "Batched generation speed vs llama.cpp's batched decoding (same run, same threads).",
        discussion: """
            For each batch size B: one prompt prefilled once, B sequences decoded together for --steps tokens
            (sampling included), aggregate tok/s, per-step time and the batch's KV/logits memory. Then the
            rollout path (`generate(requests:)`, as `rewardkit rollout` uses it), end to end and decode only. With a venv holding
            llama-cpp-python (--reference-venv, $REWARDKIT_REF_VENV or ./.venv-ref), scripts/engine/bench_llamacpp_batch.py
            decodes the same prompt with llama.cpp's low-level batch API (shared prompt, B sequence ids).
            """)

    @OptionGroup var engine: EngineModelOptions

    @Option(name: .long, help: "Python venv with llama-cpp-python for the side-by-side run.")
    var referenceVenv: String?

    @Option(name: .long, help: "Path of scripts/engine/bench_llamacpp_batch.py.")
    var referenceScript: String = "scripts/engine/bench_llamacpp_batch.py"

    @Option(name: .long, help: "Batch sizes (comma-separated).")
    var batches: String = "1,4,16,64"

    @Option(name: .long, help: "New tokens per sequence.")
    var steps: Int = 64

    @Option(name: .long, help: "Prompt length in tokens.")
    var promptTokens: Int = 64

    @Flag(name: .long, help: "Print JSON instead of tables.")
    var json = false

    func run() async throws {
        let sizes = batches.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }.filter { $0 >= 1 }
        guard !sizes.isEmpty else { throw ValidationError("--batches needs at least one positive size") }
        let m = try engine.load()
        let bench = EngineBenchmark(model: m)
        let threads = m.info.threads
        printError("model \(m.info.name), \(threads) threads, kernels \(EngineKernels.simd)")
        let prompt = bench.tokens(promptTokens)
        var ours: [[String: Double]] = []
        for b in sizes {
            let r = try bench.batchedDecode(prompt: prompt, sequences: b, steps: steps)
            ours.append(["sequences": Double(b), "tok_s": r.tokensPerSecond, "ms_per_step": r.secondsPerStep * 1e3,
                         "sampling_ms_per_step": r.samplingSecondsPerStep * 1e3, "state_mb": Double(r.stateBytes) / 1e6,
                         "rss_mb": Double(EngineBenchmark.currentRSS()) / 1e6])
            printError("B=\(b): \(String(format: "%.1f", r.tokensPerSecond)) tok/s")
        }
        let roll1 = try await bench.rollout(prompts: 1, samples: 1, maxTokens: steps)
        let roll16 = try await bench.rollout(prompts: 1, samples: 16, maxTokens: steps)
        let roll4x16 = try await bench.rollout(prompts: 4, samples: 16, maxTokens: steps, maxBatch: 64)
        let rollout: [String: Double] = ["n1_tok_s": roll1.endToEnd, "n16_tok_s": roll16.endToEnd, "p4_n16_b64_tok_s": roll4x16.endToEnd,
                                         "n1_decode_tok_s": roll1.decode, "n16_decode_tok_s": roll16.decode,
                                         "p4_n16_b64_decode_tok_s": roll4x16.decode]
        var ref: [String: Double] = [:]
        var refRSS: [String: Double] = [:]
        let job: [String: Any] = ["model": m.info.path, "threads": threads, "prompt": prompt.map { Int($0) },
                                  "batches": sizes, "steps": steps, "repeats": 2]
        if let obj = try runLlamaCppReference(venv: referenceVenv, script: referenceScript, job: job, name: "rk-bench-gen") {
            ref = obj["tok_s"] as? [String: Double] ?? [:]
            refRSS = obj["peak_rss_mb"] as? [String: Double] ?? [:]
        }
        if json {
            print(engineJSON(["rewardkit": ours, "rollout": rollout, "llama_cpp_tok_s": ref, "llama_cpp_peak_rss_mb": refRSS,
                              "threads": threads, "steps": steps, "prompt_tokens": promptTokens] as [String: Any]))
            return
        }
        let single = ours.first { $0["sequences"] == 1 }?["tok_s"]
        print("| sequences × \(steps) tokens (\(threads) threads) | RewardKit tok/s | ms/step (sampling) | llama.cpp tok/s | ratio | ×single | batch state MB | RSS MB (llama.cpp peak) |")
        print("|---:|---:|---:|---:|---:|---:|---:|---:|")
        for o in ours {
            let b = Int(o["sequences"]!)
            let r = ref[String(b)]
            let rs = r.map { String(format: "%.1f", $0) } ?? "—"
            let ratio = r.map { String(format: "%.2f×", o["tok_s"]! / $0) } ?? "—"
            let vs1 = single.map { String(format: "%.2f×", o["tok_s"]! / $0) } ?? "—"
            let rr = refRSS[String(b)].map { String(format: " (%.0f)", $0) } ?? ""
            print(String(format: "| %d | %.1f | %.1f (%.2f) | %@ | %@ | %@ | %.1f | %.0f%@ |", b, o["tok_s"]!, o["ms_per_step"]!,
                         o["sampling_ms_per_step"]!, rs, ratio, vs1, o["state_mb"]!, o["rss_mb"]!, rr))
        }
        print("")
        print("| rollout path (generate(requests:), T 0.7, top-p 0.95, \(steps) tokens) | tok/s end to end | tok/s decode only |")
        print("|---|---:|---:|")
        print(String(format: "| 1 prompt, -n 1 | %.1f | %.1f |", roll1.endToEnd, roll1.decode))
        print(String(format: "| 1 prompt, -n 16 | %.1f | %.1f |", roll16.endToEnd, roll16.decode))
        print(String(format: "| 4 prompts, -n 16, --batch 64 | %.1f | %.1f |", roll4x16.endToEnd, roll4x16.decode))
    }
}
