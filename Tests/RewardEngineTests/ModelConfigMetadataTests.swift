import Foundation
import Testing
import RewardEngine

/// Rewrites a GGUF file with edited metadata or tensors (test-only serializer of the v3 format).
struct GGUFRewrite {
    var metadata: [String: GGUFValue]
    var tensors: [(name: String, dims: [Int], type: UInt32, bytes: [UInt8])]

    init(_ f: GGUFFile) {
        metadata = f.metadata
        tensors = f.tensorOrder.map { n in
            let t = f.tensors[n]!
            return (t.name, t.dims, t.type.rawValue, Array(UnsafeRawBufferPointer(start: f.data(t), count: t.byteCount)))
        }
    }

    mutating func setTensor(_ name: String, dims: [Int], type: UInt32, bytes: [UInt8]) {
        tensors.removeAll { $0.name == name }
        tensors.append((name, dims, type, bytes))
    }

    static func typeId(_ v: GGUFValue) -> UInt32 {
        switch v {
        case .uint8: 0
        case .int8: 1
        case .uint16: 2
        case .int16: 3
        case .uint32: 4
        case .int32: 5
        case .float32: 6
        case .bool: 7
        case .string: 8
        case .array: 9
        case .uint64: 10
        case .int64: 11
        case .float64: 12
        }
    }

    func write() throws -> String {
        var b: [UInt8] = []
        func le<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { b += $0 } }
        func str(_ s: String) { le(UInt64(s.utf8.count)); b += Array(s.utf8) }
        func put(_ v: GGUFValue) {
            switch v {
            case .uint8(let x): le(x)
            case .int8(let x): le(x)
            case .uint16(let x): le(x)
            case .int16(let x): le(x)
            case .uint32(let x): le(x)
            case .int32(let x): le(x)
            case .float32(let x): le(x.bitPattern)
            case .bool(let x): b.append(x ? 1 : 0)
            case .string(let s): str(s)
            case .array(let a):
                le(a.first.map(Self.typeId) ?? 4); le(UInt64(a.count))
                for e in a { put(e) }
            case .uint64(let x): le(x)
            case .int64(let x): le(x)
            case .float64(let x): le(x.bitPattern)
            }
        }
        let align = 32
        le(UInt32(0x4655_4747)); le(UInt32(3)); le(UInt64(tensors.count)); le(UInt64(metadata.count))
        for (k, v) in metadata.sorted(by: { $0.key < $1.key }) { str(k); le(Self.typeId(v)); put(v) }
        var offset = 0
        for t in tensors {
            str(t.name); le(UInt32(t.dims.count))
            for d in t.dims { le(UInt64(d)) }
            le(t.type); le(UInt64(offset))
            offset += (t.bytes.count + align - 1) / align * align
        }
        while b.count % align != 0 { b.append(0) }
        for t in tensors {
            b += t.bytes
            while b.count % align != 0 { b.append(0) }
        }
        let p = NSTemporaryDirectory() + "rk-arch-\(UUID().uuidString).gguf"
        try Data(b).write(to: URL(fileURLWithPath: p))
        return p
    }
}

/// How `ModelConfig` (and the loader) read llama.cpp's metadata conventions, and that what the
/// forward pass does not implement is refused with `EngineError.unsupported`, not computed wrongly.
@Suite("Model metadata: llama.cpp conventions and unsupported features")
struct ModelConfigMetadataTests {
    static func base(_ name: String = "tiny-llama3") throws -> GGUFRewrite {
        GGUFRewrite(try GGUFFile(path: Fixture.url("tiny").appendingPathComponent("\(name).gguf").path))
    }

    static func config(_ r: GGUFRewrite) throws -> ModelConfig {
        let p = try r.write()
        defer { try? FileManager.default.removeItem(atPath: p) }
        return try ModelConfig(gguf: GGUFFile(path: p))
    }

    static func loadModel(_ r: GGUFRewrite) throws {
        let p = try r.write()
        defer { try? FileManager.default.removeItem(atPath: p) }
        _ = try GGUFLanguageModel(path: p, threads: 1)
    }

    /// `body` must throw `EngineError.unsupported` (or `.invalidFile` when `invalid`) whose text contains `needle`.
    static func expectRefused(_ needle: String, invalid: Bool = false, _ body: () throws -> Void,
                              sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            try body()
            Issue.record("expected an error mentioning '\(needle)'", sourceLocation: sourceLocation)
        } catch let e as EngineError {
            switch (e, invalid) {
            case (.unsupported, false), (.invalidFile, true): break
            default: Issue.record("wrong error kind: \(e)", sourceLocation: sourceLocation)
            }
            #expect(e.description.contains(needle), "\(e)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func tinyModelsDescribeTheirArchitectures() throws {
        let dir = try Fixture.url("tiny")
        func cfg(_ n: String) throws -> ModelConfig { try ModelConfig(gguf: GGUFFile(path: dir.appendingPathComponent("\(n).gguf").path)) }
        let l3 = try cfg("tiny-llama3")
        #expect(l3.architecture == "llama" && l3.headCount == 8 && l3.headCountKV == 2 && l3.headDim == 32)
        #expect(l3.ropeBase == 500000 && l3.ropeFreqScale == 1 && l3.ropeStyle == .adjacentPairs && l3.ropeFreqFactors == nil)
        let q2 = try cfg("tiny-qwen2")
        #expect(q2.architecture == "qwen2" && q2.ropeStyle == .halves && q2.headDim == 64 && q2.ropeBase == 1_000_000)
        #expect(try cfg("tiny-llama-linear").ropeFreqScale == 0.25)
        let f = try cfg("tiny-llama31-freqs")
        let factors = try #require(f.ropeFreqFactors)
        #expect(factors.count == f.ropeDims / 2 && factors.allSatisfy { $0 >= 1 && $0 <= 6 })
        // The factors divide each pair's frequency.
        let plain = RotaryEmbedding(dims: f.ropeDims, base: f.ropeBase, style: f.ropeStyle)
        let scaled = RotaryEmbedding(config: f)
        var a = [Float](repeating: 0, count: f.ropeDims), b = a
        a[2] = 1; b[2] = 1  // pair 1
        plain.apply(&a, position: 7); scaled.apply(&b, position: 7)
        let theta = 7 / pow(f.ropeBase, 2 / Double(f.ropeDims))
        #expect(abs(Double(a[3]) - sin(theta)) < 1e-6)
        #expect(abs(Double(b[3]) - sin(theta / factors[1])) < 1e-6)
    }

    /// llama.cpp: the scaling type defaults to linear, the factor is read whatever the type, "none" disables it.
    @Test func ropeScalingFollowsLlamaCpp() throws {
        var r = try Self.base()
        r.metadata["llama.rope.scaling.factor"] = .float32(4)
        #expect(try Self.config(r).ropeFreqScale == 0.25)
        r.metadata["llama.rope.scaling.type"] = .string("none")
        #expect(try Self.config(r).ropeFreqScale == 1)
        r.metadata["llama.rope.scaling.factor"] = nil
        r.metadata["llama.rope.scaling.type"] = nil
        r.metadata["llama.rope.scale_linear"] = .float32(2)
        #expect(try Self.config(r).ropeFreqScale == 0.5)
        for t in ["yarn", "longrope", "llama3"] {
            r.metadata["llama.rope.scaling.type"] = .string(t)
            Self.expectRefused("rope scaling type '\(t)'") { _ = try Self.config(r) }
        }
        r.metadata["llama.rope.scaling.type"] = .string("linear")
        r.metadata["llama.rope.scaling.attn_factor"] = .float32(0.5)
        Self.expectRefused("attn_factor") { _ = try Self.config(r) }
    }

    @Test func perLayerHeadCountsAndUnsupportedShapes() throws {
        var r = try Self.base()
        r.metadata["llama.attention.head_count_kv"] = .array([.uint32(2), .uint32(2), .uint32(2)])
        #expect(try Self.config(r).headCountKV == 2)
        r.metadata["llama.attention.head_count_kv"] = .array([.uint32(2), .uint32(4), .uint32(2)])
        Self.expectRefused("per-layer llama.attention.head_count_kv") { _ = try Self.config(r) }

        r = try Self.base()
        r.metadata["llama.expert_count"] = .uint32(8)
        Self.expectRefused("mixture-of-experts") { _ = try Self.config(r) }

        r = try Self.base()
        r.metadata["llama.attention.value_length"] = .uint32(64)
        Self.expectRefused("value head size") { _ = try Self.config(r) }

        r = try Self.base()
        r.metadata["general.architecture"] = .string("gemma2")
        Self.expectRefused("architecture 'gemma2'") { _ = try Self.config(r) }
    }

    @Test func tensorsTheForwardPassWouldIgnoreAreRefused() throws {
        let f32 = { (n: Int) in [UInt8](repeating: 0, count: 4 * n) }
        for (name, n, needle) in [("blk.1.attn_output.bias", 256, "attention output bias"), ("blk.0.ffn_down.bias", 256, "feed-forward bias"),
                                  ("output.bias", 267, "output projection bias"), ("blk.2.attn_qkv.weight", 0, "fused QKV")] {
            var r = try Self.base()
            if n == 0 {
                r.setTensor(name, dims: [256, 384], type: 0, bytes: f32(256 * 384))
            } else {
                r.setTensor(name, dims: [n], type: 0, bytes: f32(n))
            }
            Self.expectRefused(needle) { _ = try Self.config(r) }
        }
        var r = try Self.base()
        r.setTensor("blk.0.attn_k.bias", dims: [64], type: 0, bytes: f32(64))
        Self.expectRefused("Q/K/V biases must come together") { _ = try Self.config(r) }

        // rope_freqs of the wrong length.
        r = try Self.base("tiny-llama31-freqs")
        r.setTensor("rope_freqs.weight", dims: [8], type: 0, bytes: f32(8))
        Self.expectRefused("rope_freqs.weight has 8 values", invalid: true) { _ = try Self.config(r) }
        var ones = [UInt8]()
        for _ in 0..<16 { withUnsafeBytes(of: Float(0).bitPattern.littleEndian) { ones += $0 } }
        r.setTensor("rope_freqs.weight", dims: [16], type: 0, bytes: ones)
        Self.expectRefused("non-positive", invalid: true) { _ = try Self.config(r) }
    }

    @Test func unsupportedTensorTypesAreNamed() throws {
        // A known layout the engine does not decode (Q8_1, an intermediate type) in a projection.
        var r = try Self.base()
        r.setTensor("blk.0.attn_v.weight", dims: [256, 64], type: 9, bytes: [UInt8](repeating: 0, count: 256 * 64 / 32 * 36))
        Self.expectRefused("Q8_1") { try Self.loadModel(r) }
        // An i-quant: the file cannot be opened; the message names the type.
        r = try Self.base()
        r.setTensor("blk.0.attn_v.weight", dims: [256, 64], type: 20, bytes: [UInt8](repeating: 0, count: 256 * 64 / 32 * 18))
        Self.expectRefused("IQ4_NL") { let p = try r.write(); defer { try? FileManager.default.removeItem(atPath: p) }; _ = try GGUFFile(path: p) }
    }

    @Test func rewrittenFileLoadsAndScoresLikeTheOriginal() async throws {
        // Guards the serializer above: an unedited round trip gives the same model.
        let r = try Self.base("tiny-qwen2")
        let p = try r.write()
        defer { try? FileManager.default.removeItem(atPath: p) }
        let a = try GGUFLanguageModel(path: p, threads: 1, precision: .exact)
        let b = try GGUFLanguageModel(path: Fixture.url("tiny").appendingPathComponent("tiny-qwen2.gguf").path, threads: 1, precision: .exact)
        let toks: [Int32] = [266, 5, 70, 200, 13, 99]
        #expect(try await a.scoreSequence(toks) == b.scoreSequence(toks))
    }
}
