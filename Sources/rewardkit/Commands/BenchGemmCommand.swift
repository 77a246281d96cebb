import ArgumentParser
import Foundation
import RewardEngine

struct BenchGemmCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gemm", abstract: "Projection throughput: int8 kernel (rk_gemm_q8) vs f32 sgemm on dequantized weights.",
        discussion: """
            Random weights of each quant type in the projection shapes of SmolLM2-135M and Qwen3-0.6B, n activation
            rows per call, through Linear.apply exactly as the model calls it (activation rounding included).
            Prints GMAC/s (rows·cols·n multiply-accumulates per second) of both paths and their ratio.
            """)

    @Option(name: .long, help: "Comma-separated quant types (q4_0, q4_1, q8_0).")
    var types: String = "q8_0,q4_1"

    @Option(name: .long, help: "Comma-separated activation row counts.")
    var n: String = "1,4,16,64,256,2048"

    @Option(name: .long, help: "Comma-separated thread counts.")
    var threads: String = "1,2"

    @Option(name: .long, help: "Shape sets: smollm2, qwen3 (comma-separated) or explicit OUTxIN shapes, e.g. 1728x576.")
    var shapes: String = "smollm2,qwen3"

    @Option(name: .long, help: "Seconds of measurement per path and point.")
    var seconds: Double = 0.3

    func run() async throws {
        func ints(_ s: String, _ field: String) throws -> [Int] {
            try s.split(separator: ",").map {
                guard let v = Int($0.trimmingCharacters(in: .whitespaces)), v > 0 else {
                    throw ValidationError("--\(field): '\($0)' is not a positive integer")
                }
                return v
            }
        }
        let typeList: [GGMLType] = try types.split(separator: ",").map {
            switch $0.lowercased() {
            case "q4_0": return .q4_0
            case "q4_1": return .q4_1
            case "q8_0": return .q8_0
            case "q7_1", "q7": return .q7_1
            default: throw ValidationError("--types: '\($0)' is not one of q4_0, q4_1, q8_0, q7_1")
            }
        }
        var shapeList: [(String, Int, Int)] = []
        for s in shapes.split(separator: ",") {
            switch s {
            case "smollm2": shapeList += [("smollm2 qkv", 1728, 576), ("smollm2 gate/up", 3072, 576), ("smollm2 down", 576, 1536)]
            case "qwen3": shapeList += [("qwen3 qkv", 4096, 1024), ("qwen3 gate/up", 6144, 1024), ("qwen3 down", 1024, 3072),
                                        ("qwen3 o", 1024, 2048)]
            default:
                let p = s.split(separator: "x").compactMap { Int($0) }
                guard p.count == 2, p[0] > 0, p[1] > 0, p[1] % 32 == 0 else {
                    throw ValidationError("--shapes: '\(s)' is not smollm2, qwen3 or OUTxIN with IN a multiple of 32")
                }
                shapeList.append(("\(p[0])x\(p[1])", p[0], p[1]))
            }
        }
        let ns = try ints(n, "n"), ts = try ints(threads, "threads")
        printError("kernels \(EngineKernels.simd); GMAC/s, best of 3 rounds of \(seconds / 3) s")
        print("shape            out×in      type  n     thr  int8 GMAC/s  f32 GMAC/s  ratio")
        for (name, rows, cols) in shapeList {
            for t in typeList {
                for thr in ts {
                    for count in ns {
                        let r = try GemmBenchmark.measure(type: t, rows: rows, cols: cols, n: count, threads: thr, seconds: seconds)
                        let shape = "\(rows)×\(cols)"
                        print(name.padding(toLength: 16, withPad: " ", startingAt: 0), shape.padding(toLength: 11, withPad: " ", startingAt: 0),
                              "\(t)".padding(toLength: 5, withPad: " ", startingAt: 0), String(count).padding(toLength: 5, withPad: " ", startingAt: 0),
                              String(thr).padding(toLength: 4, withPad: " ", startingAt: 0),
                              String(format: "%11.1f  %10.1f  %5.2f", r.int8GMACs, r.f32GMACs, r.int8GMACs / r.f32GMACs))
                    }
                }
            }
        }
    }
}
