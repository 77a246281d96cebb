import Foundation
import Testing
@testable import RewardEngine

/// The safetensors reader, the sharded index and config.json: exact values from hand-built files, and a
/// clear error for every malformed or unsupported input.
@Suite("safetensors, sharded checkpoints and HF config")
struct SafeTensorsTests {
    /// A file from a raw header string and data bytes (no padding: data may start unaligned).
    static func file(header: String, data: [UInt8], lengthOverride: UInt64? = nil) throws -> String {
        var bytes: [UInt8] = []
        let h = Array(header.utf8)
        var n = (lengthOverride ?? UInt64(h.count)).littleEndian
        withUnsafeBytes(of: &n) { bytes += $0 }
        bytes += h + data
        let path = NSTemporaryDirectory() + "rk-st-\(UUID().uuidString).safetensors"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func f32(_ v: [Float]) -> [UInt8] { v.flatMap { f in withUnsafeBytes(of: f.bitPattern.littleEndian) { Array($0) } } }

    static func refused(_ fragment: String, _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("expected an error mentioning '\(fragment)'")
        } catch {
            #expect("\(error)".contains(fragment), "error '\(error)' should mention '\(fragment)'")
        }
    }

    @Test func readsUnalignedF32BF16AndF16() throws {
        // Header of odd length: tensor data starts at an unaligned offset.
        let header = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"BF16","shape":[2],"data_offsets":[8,12]},"c":{"dtype":"F16","shape":[1],"data_offsets":[12,14]},"__metadata__":{"format":"pt"}}"#
        #expect((8 + header.utf8.count) % 4 != 0)
        let data = Self.f32([1.5, -2.25]) + [0x80, 0x3F, 0x40, 0xC0] + [0x00, 0x3C]  // bf16 1.0, -3.0; f16 1.0
        let f = try SafeTensorsFile(path: try Self.file(header: header, data: data))
        #expect(f.metadata == ["format": "pt"])
        #expect(f.tensors.count == 3)
        var out = [Float](repeating: 0, count: 5)
        try out.withUnsafeMutableBufferPointer { p in
            let a = f.tensors["a"]!, b = f.tensors["b"]!, c = f.tensors["c"]!
            try QuantBlocks.dequantize(a.type, f.data(a), p.baseAddress!, count: 2)
            try QuantBlocks.dequantize(b.type, f.data(b), p.baseAddress! + 2, count: 2)
            try QuantBlocks.dequantize(c.type, f.data(c), p.baseAddress! + 4, count: 1)
        }
        #expect(out == [1.5, -2.25, 1.0, -3.0, 1.0])
    }

    @Test func malformedFilesAreRefusedWithTheReason() throws {
        let ok = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#
        Self.refused("does not fit") { _ = try SafeTensorsFile(path: try Self.file(header: ok, data: Self.f32([1, 2]), lengthOverride: 10_000)) }
        Self.refused("limit") { _ = try SafeTensorsFile(path: try Self.file(header: ok, data: [], lengthOverride: 200_000_000)) }
        Self.refused("not valid JSON") { _ = try SafeTensorsFile(path: try Self.file(header: "{not json", data: [])) }
        Self.refused("dtype I64") {
            _ = try SafeTensorsFile(path: try Self.file(header: #"{"a":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}"#, data: Array(repeating: 0, count: 8)))
        }
        Self.refused("(expected 12)") {  // byte count disagrees with shape × dtype
            _ = try SafeTensorsFile(path: try Self.file(header: #"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: Self.f32([1, 2])))
        }
        Self.refused("tile") {  // a hole between tensors
            let h = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#
            _ = try SafeTensorsFile(path: try Self.file(header: h, data: Self.f32([1, 2, 3])))
        }
        Self.refused("data section has 12 bytes") {  // trailing bytes
            _ = try SafeTensorsFile(path: try Self.file(header: ok, data: Self.f32([1, 2, 3])))
        }
        Self.refused("outside") {
            _ = try SafeTensorsFile(path: try Self.file(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,800]}}"#, data: Self.f32([1, 2])))
        }
        Self.refused("too short") {
            let p = NSTemporaryDirectory() + "rk-st-short-\(UUID().uuidString)"
            try Data([1, 2, 3]).write(to: URL(fileURLWithPath: p))
            _ = try SafeTensorsFile(path: p)
        }
    }

    /// A copy of a fixture checkpoint to damage.
    static func copyFixture(_ name: String) throws -> String {
        let src = try Fixture.url("hf/" + name).path
        let dst = NSTemporaryDirectory() + "rk-hf-\(UUID().uuidString)"
        try FileManager.default.copyItem(atPath: src, toPath: dst)
        return dst
    }

    static func editConfig(_ dir: String, _ edit: (inout [String: Any]) -> Void) throws {
        let p = dir + "/config.json"
        var obj = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: p))) as! [String: Any]
        edit(&obj)
        try JSONSerialization.data(withJSONObject: obj).write(to: URL(fileURLWithPath: p))
    }

    @Test func checkpointErrorsNameTheProblem() throws {
        // The index lists a tensor that no shard holds.
        let d1 = try Self.copyFixture("qwen3-seqcls-bf16-sharded")
        let ip = d1 + "/model.safetensors.index.json"
        var idx = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: ip))) as! [String: Any]
        var map = idx["weight_map"] as! [String: String]
        map["model.layers.9.mlp.up_proj.weight"] = "model-00001-of-00002.safetensors"
        idx["weight_map"] = map
        try JSONSerialization.data(withJSONObject: idx).write(to: URL(fileURLWithPath: ip))
        Self.refused("missing tensor model.layers.9.mlp.up_proj.weight") { _ = try HFModel(directory: d1) }

        // config says more layers than the file has.
        let d2 = try Self.copyFixture("qwen2-seqcls")
        try Self.editConfig(d2) { $0["num_hidden_layers"] = 3 }
        Self.refused("missing tensor blk.2.") { _ = try HFModel(directory: d2) }

        // Shape mismatch: hidden size disagrees with the tensors.
        let d3 = try Self.copyFixture("qwen2-seqcls")
        try Self.editConfig(d3) { $0["intermediate_size"] = 48 }
        Self.refused("has shape") { _ = try HFModel(directory: d3) }

        // num_labels disagrees with score.weight.
        let d4 = try Self.copyFixture("llama-seqcls")
        try Self.editConfig(d4) { $0["num_labels"] = 3 }
        Self.refused("num_labels is 3") { _ = try HFModel(directory: d4) }

        // Unsupported architecture / features.
        let d5 = try Self.copyFixture("qwen2-seqcls")
        try Self.editConfig(d5) { $0["model_type"] = "mistral" }
        Self.refused("model_type 'mistral'") { _ = try HFModel(directory: d5) }
        let d6 = try Self.copyFixture("qwen2-seqcls")
        try Self.editConfig(d6) { $0["rope_parameters"] = ["rope_type": "yarn", "rope_theta": 10000.0, "factor": 4.0] }
        Self.refused("rope type 'yarn'") { _ = try HFModel(directory: d6) }

        Self.refused("no config.json") { _ = try HFModel(directory: NSTemporaryDirectory()) }
    }

    @Test func configKeyDriftAcrossTransformersVersions() throws {
        // Older files: top-level rope_theta + rope_scaling with `type`, torch_dtype, eos list, id2label.
        let old = #"{"architectures":["LlamaForSequenceClassification"],"model_type":"llama","hidden_size":64,"intermediate_size":128,"num_hidden_layers":2,"num_attention_heads":4,"num_key_value_heads":2,"rms_norm_eps":1e-5,"rope_theta":500000.0,"rope_scaling":{"type":"llama3","factor":8.0,"low_freq_factor":1.0,"high_freq_factor":4.0,"original_max_position_embeddings":8192},"torch_dtype":"bfloat16","eos_token_id":[128001,128008,128009],"id2label":{"0":"LABEL_0"},"vocab_size":128257,"pad_token_id":128256}"#
        let c = try HFConfig(data: Data(old.utf8))
        #expect(c.ropeTheta == 500000 && c.ropeType == "llama3" && c.ropeFactor == 8)
        #expect(c.dtype == "bfloat16" && c.eosTokenIds == [128001, 128008, 128009] && c.numLabels == 1)
        #expect(c.headDim == 16 && c.padTokenId == 128256 && !c.tieWordEmbeddings)
        // v5: everything under rope_parameters, dtype, explicit head_dim.
        let v5 = #"{"architectures":["Qwen3ForSequenceClassification"],"model_type":"qwen3","hidden_size":1024,"intermediate_size":3072,"num_hidden_layers":28,"num_attention_heads":16,"num_key_value_heads":8,"head_dim":128,"rms_norm_eps":1e-6,"rope_parameters":{"rope_type":"default","rope_theta":1000000.0},"dtype":"bfloat16","eos_token_id":151645,"num_labels":1,"vocab_size":151936,"tie_word_embeddings":true}"#
        let q = try HFConfig(data: Data(v5.utf8))
        #expect(q.ropeTheta == 1_000_000 && q.ropeType == "default" && q.headDim == 128 && q.tieWordEmbeddings)
        #expect(q.eosTokenIds == [151645] && q.numLabels == 1 && q.dtype == "bfloat16" && q.padTokenId == nil)
        // llama3 band divisors: high frequencies untouched, low ones divided by the factor.
        let f = try #require(c.ropeFreqFactors)
        #expect(f.count == 8 && f[0] == 1 && abs(f[7] - 8) < 1e-12)
    }
}
