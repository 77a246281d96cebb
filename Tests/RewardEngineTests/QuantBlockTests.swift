import Foundation
import Testing
import RewardEngine

@Suite("Quant block decoders")
struct QuantBlockTests {
    /// Random blocks decoded by gguf-py (scripts/engine/make_fixtures.py) must decode identically here.
    @Test(arguments: ["Q4_0", "Q4_1", "Q8_0", "Q4_K", "Q6_K", "F16", "BF16"])
    func matchesReferenceDecoder(_ typeName: String) throws {
        let all = try #require(Fixture.json("quant_blocks.json") as? [[String: Any]])
        let entry = try #require(all.first { $0["type"] as? String == typeName })
        let hex = entry["bytes"] as! String
        var bytes: [UInt8] = []
        var i = hex.startIndex
        while i < hex.endIndex {
            let j = hex.index(i, offsetBy: 2)
            bytes.append(UInt8(hex[i..<j], radix: 16)!)
            i = j
        }
        let expected = (entry["values"] as! [Any]).doubles
        let type = try #require(GGMLType.allCases.first { $0.name == typeName })
        var out = [Float](repeating: .nan, count: expected.count)
        #expect(bytes.count == expected.count / type.blockSize * type.blockBytes)
        try bytes.withUnsafeBytes { try QuantBlocks.dequantize(type, $0.baseAddress!, &out, count: expected.count) }
        for (a, e) in zip(out, expected) {
            #expect(abs(Double(a) - e) <= 1e-6 * max(1, abs(e)), "\(typeName): \(a) vs \(e)")
        }
    }

    /// The types real Q4_K_M/Q5_K_M/Q3_K/Q2_K files also contain (Fixtures/tiny/quant_blocks_more.json,
    /// scripts/engine/make_tiny_models.py).
    @Test(arguments: ["Q5_0", "Q5_1", "Q2_K", "Q3_K", "Q5_K"])
    func matchesReferenceDecoderMoreTypes(_ typeName: String) throws {
        let url = try Fixture.url("tiny").appendingPathComponent("quant_blocks_more.json")
        let all = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [[String: Any]])
        let entry = try #require(all.first { $0["type"] as? String == typeName })
        let hex = Array((entry["bytes"] as! String).utf8)
        let bytes = stride(from: 0, to: hex.count, by: 2).map { UInt8(String(decoding: hex[$0..<($0 + 2)], as: UTF8.self), radix: 16)! }
        let expected = (entry["values"] as! [Any]).doubles
        let type = try #require(GGMLType.allCases.first { $0.name == typeName })
        #expect(type.isSupported)
        var out = [Float](repeating: .nan, count: expected.count)
        #expect(bytes.count == expected.count / type.blockSize * type.blockBytes)
        try bytes.withUnsafeBytes { try QuantBlocks.dequantize(type, $0.baseAddress!, &out, count: expected.count) }
        var bad = 0
        for (a, e) in zip(out, expected) where !(abs(Double(a) - e) <= 1e-6 * max(1, abs(e))) { bad += 1 }
        #expect(bad == 0, "\(typeName): \(bad) of \(expected.count) values differ")
    }

    @Test func handBuiltQ4_1AndQ8_0Blocks() throws {
        // Q4_1: d = 0.5, m = -1, nibble j in low half and 15-j in high half.
        var q41: [UInt8] = []
        withUnsafeBytes(of: Float16(0.5).bitPattern) { q41 += $0 }
        withUnsafeBytes(of: Float16(-1).bitPattern) { q41 += $0 }
        for j in 0..<16 { q41.append(UInt8(j) | UInt8(15 - j) << 4) }
        var out = [Float](repeating: 0, count: 32)
        try q41.withUnsafeBytes { try QuantBlocks.dequantize(.q4_1, $0.baseAddress!, &out, count: 32) }
        for j in 0..<16 {
            #expect(out[j] == Float(j) * 0.5 - 1)
            #expect(out[j + 16] == Float(15 - j) * 0.5 - 1)
        }
        // Q8_0: d = 0.25, q = -16…15.
        var q80: [UInt8] = []
        withUnsafeBytes(of: Float16(0.25).bitPattern) { q80 += $0 }
        for j in 0..<32 { q80.append(UInt8(bitPattern: Int8(j - 16))) }
        try q80.withUnsafeBytes { try QuantBlocks.dequantize(.q8_0, $0.baseAddress!, &out, count: 32) }
        for j in 0..<32 { #expect(out[j] == Float(j - 16) * 0.25) }
    }

    @Test func unsupportedTypeIsAnError() {
        var out = [Float](repeating: 0, count: 32)
        let raw = [UInt8](repeating: 0, count: 36)
        #expect(throws: EngineError.self) {
            try raw.withUnsafeBytes { try QuantBlocks.dequantize(.q8_1, $0.baseAddress!, &out, count: 32) }
        }
    }
}
