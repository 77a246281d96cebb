import Foundation
import Testing
@testable import RewardEngine

/// One mapping path for both weight formats (MappedFile) and one GQA shape rule (ModelConfig): the errors
/// still name the file and the format's own fields.
@Suite("Mapped files and shared shape checks")
struct MappedFileTests {
    static func temp(_ bytes: [UInt8]) throws -> String {
        let p = NSTemporaryDirectory() + "rk-mapped-\(UUID().uuidString)"
        try Data(bytes).write(to: URL(fileURLWithPath: p))
        return p
    }

    @Test func mapsTheWholeFileAndNamesThePathOnFailure() throws {
        let p = try Self.temp(Array(0..<40))
        let m = try MappedFile(path: p, minimumSize: 8) { _ in .io("unused") }
        #expect(m.size == 40 && m.base.load(fromByteOffset: 39, as: UInt8.self) == 39)
        let missing = NSTemporaryDirectory() + "rk-mapped-missing-\(UUID().uuidString)"
        SafeTensorsTests.refused("cannot open \(missing)") { _ = try SafeTensorsFile(path: missing) }
        SafeTensorsTests.refused("cannot open \(missing)") { _ = try GGUFFile(path: missing) }
        // Empty and short files get each format's own error (checked before mmap, which refuses length 0).
        let empty = try Self.temp([])
        SafeTensorsTests.refused("\(empty): 0 bytes, too short for a safetensors file") { _ = try SafeTensorsFile(path: empty) }
        SafeTensorsTests.refused("\(empty): file too small (0 bytes)") { _ = try GGUFFile(path: empty) }
        let short = try Self.temp(Array(repeating: 0, count: 20))
        SafeTensorsTests.refused("file too small (20 bytes)") { _ = try GGUFFile(path: short) }
    }

    @Test func gqaHeadRuleNamesConfigJsonFields() throws {
        let bad = #"{"model_type":"qwen3","hidden_size":64,"intermediate_size":128,"num_hidden_layers":2,"num_attention_heads":6,"num_key_value_heads":4,"vocab_size":100}"#
        SafeTensorsTests.refused("cfg.json: num_attention_heads 6 not a multiple of num_key_value_heads 4") {
            _ = try HFConfig(data: Data(bad.utf8), source: "cfg.json")
        }
        let zero = bad.replacingOccurrences(of: #""num_key_value_heads":4"#, with: #""num_key_value_heads":0"#)
        SafeTensorsTests.refused("num_key_value_heads 0") { _ = try HFConfig(data: Data(zero.utf8)) }
        let good = bad.replacingOccurrences(of: #""num_key_value_heads":4"#, with: #""num_key_value_heads":3"#)
        let c = try ModelConfig(hf: try HFConfig(data: Data(good.utf8)), name: "t")
        #expect(c.headCount == 6 && c.headCountKV == 3 && c.headDim == 10)
    }
}
