import Foundation
import Testing
import RewardEngine

@Suite("RoPE")
struct RotaryTests {
    func randomVector(_ n: Int, _ rng: inout SeededGenerator) -> [Float] {
        (0..<n).map { _ in Float.random(in: -1...1, using: &rng) }
    }

    func dot(_ a: [Float], _ b: [Float]) -> Double { zip(a, b).reduce(0) { $0 + Double($1.0) * Double($1.1) } }

    @Test(arguments: [ModelConfig.RopeStyle.adjacentPairs, .halves])
    func rotationIsRelativeAndNormPreserving(_ style: ModelConfig.RopeStyle) {
        let rope = RotaryEmbedding(dims: 64, base: 10000, style: style)
        var rng = SeededGenerator(seed: 5)
        let q = randomVector(64, &rng), k = randomVector(64, &rng)
        func rot(_ v: [Float], _ p: Int) -> [Float] { var x = v; rope.apply(&x, position: p); return x }
        // ⟨R(m)q, R(n)k⟩ depends only on m − n.
        let a = dot(rot(q, 10), rot(k, 3)), b = dot(rot(q, 107), rot(k, 100))
        #expect(abs(a - b) < 1e-4)
        #expect(abs(dot(rot(q, 77), rot(q, 77)) - dot(q, q)) < 1e-4)
        #expect(rot(q, 0) == q)
    }

    @Test func knownAngles() {
        // Pair 0 rotates by pos radians; adjacent layout pairs (0,1), halves layout pairs (0,2) for dims 4.
        let r = RotaryEmbedding(dims: 4, base: 10000, style: .adjacentPairs)
        var v: [Float] = [1, 0, 1, 0]
        r.apply(&v, position: 1)
        #expect(abs(v[0] - Float(cos(1.0))) < 1e-6 && abs(v[1] - Float(sin(1.0))) < 1e-6)
        #expect(abs(v[2] - Float(cos(0.01))) < 1e-6 && abs(v[3] - Float(sin(0.01))) < 1e-6)
        let h = RotaryEmbedding(dims: 4, base: 10000, style: .halves)
        var w: [Float] = [1, 1, 0, 0]
        h.apply(&w, position: 1)
        #expect(abs(w[0] - Float(cos(1.0))) < 1e-6 && abs(w[2] - Float(sin(1.0))) < 1e-6)
        #expect(abs(w[1] - Float(cos(0.01))) < 1e-6 && abs(w[3] - Float(sin(0.01))) < 1e-6)
    }
}

@Suite("Model store")
struct ModelStoreTests {
    @Test func missingModelExplainsHowToPull() throws {
        #expect(throws: EngineError.self) { try ModelStore.resolve("no-such-model") }
        // A missing path must throw (the old test passed when nothing threw) and name the pullable models.
        let error = #expect(throws: EngineError.self) { try ModelStore.resolve("/definitely/not/here.gguf") }
        let text = error.map { "\($0)" } ?? ""
        #expect(text.contains("no model named '/definitely/not/here.gguf' and no such file"), "\(text)")
        #expect(text.contains("known names: smollm2-135m-instruct"), "\(text)")
    }

    @Test func resolvesPulledNameAndPaths() throws {
        let p = try ModelStore.resolve(ModelStore.defaultModel)
        #expect(p.hasSuffix("SmolLM2-135M-Instruct.Q4_1.gguf"))
        #expect(try ModelStore.resolve(p) == p)
        #expect(ModelStore.list().contains { $0.name == ModelStore.defaultModel && $0.pulled })
    }

    @Test func sha256KnownVectors() {
        var h = SHA256Hasher()
        h.update(Array("abc".utf8))
        #expect(h.finalize() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        var e = SHA256Hasher()
        e.update(Array(repeating: UInt8(ascii: "a"), count: 1_000_000))
        #expect(e.finalize() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }
}
