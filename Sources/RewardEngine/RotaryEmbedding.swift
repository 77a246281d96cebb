import Foundation

/// Rotary position embedding (RoPE): rotates pairs of a head vector by position-dependent angles
/// θᵢ = pos·scale·base^(−2i/dims) / factorᵢ (factors: Llama 3.1's `rope_freqs.weight`, else 1).
/// Llama GGUFs pair adjacent elements (their Q/K rows were permuted at conversion); Qwen2 pairs
/// element i with i + dims/2. Elements past `dims` are left as they are.
public struct RotaryEmbedding: Sendable {
    public let dims: Int
    public let style: ModelConfig.RopeStyle
    public let positionScale: Double
    let invFreq: [Double]

    /// `freqFactors`: nil, or dims/2 positive divisors of the pair frequencies (`ModelConfig.ropeFreqFactors`).
    public init(dims: Int, base: Double, positionScale: Double = 1, style: ModelConfig.RopeStyle, freqFactors: [Double]? = nil) {
        precondition(freqFactors == nil || freqFactors!.count == dims / 2, "rope frequency factors: need dims/2 values")
        self.dims = dims
        self.style = style
        self.positionScale = positionScale
        invFreq = (0..<(dims / 2)).map { 1 / pow(base, Double(2 * $0) / Double(dims)) / (freqFactors?[$0] ?? 1) }
    }

    /// The rotary embedding a model's metadata describes.
    public init(config: ModelConfig) {
        self.init(dims: config.ropeDims, base: config.ropeBase, positionScale: config.ropeFreqScale,
                  style: config.ropeStyle, freqFactors: config.ropeFreqFactors)
    }

    /// Rotates `v[0..<dims]` in place for `position`.
    @inline(__always) public func apply(_ v: UnsafeMutablePointer<Float>, position: Int) {
        let half = dims / 2
        let p = Double(position) * positionScale
        for i in 0..<half {
            let theta = p * invFreq[i]
            let c = Float(cos(theta)), s = Float(sin(theta))
            let (a, b) = style == .adjacentPairs ? (2 * i, 2 * i + 1) : (i, i + half)
            let x0 = v[a], x1 = v[b]
            v[a] = x0 * c - x1 * s
            v[b] = x0 * s + x1 * c
        }
    }

    /// cos/sin for each pair at each position, computed once per forward pass and shared by all heads and layers.
    struct Table {
        let half: Int
        let style: ModelConfig.RopeStyle
        let cos: [Float]
        let sin: [Float]

        @inline(__always) func apply(_ v: UnsafeMutablePointer<Float>, row: Int) {
            cos.withUnsafeBufferPointer { cp in
                sin.withUnsafeBufferPointer { sp in
                    let c = cp.baseAddress! + row * half, s = sp.baseAddress! + row * half
                    if style == .adjacentPairs {
                        for i in 0..<half {
                            let x0 = v[2 * i], x1 = v[2 * i + 1]
                            v[2 * i] = x0 * c[i] - x1 * s[i]
                            v[2 * i + 1] = x0 * s[i] + x1 * c[i]
                        }
                    } else {
                        for i in 0..<half {
                            let x0 = v[i], x1 = v[i + half]
                            v[i] = x0 * c[i] - x1 * s[i]
                            v[i + half] = x0 * s[i] + x1 * c[i]
                        }
                    }
                }
            }
        }
    }

    func table(positions: [Int]) -> Table {
        let half = dims / 2
        var c = [Float](repeating: 0, count: positions.count * half)
        var s = c
        for (r, pos) in positions.enumerated() {
            let p = Double(pos) * positionScale
            for i in 0..<half {
                let theta = p * invFreq[i]
                c[r * half + i] = Float(Foundation.cos(theta))
                s[r * half + i] = Float(Foundation.sin(theta))
            }
        }
        return Table(half: half, style: style, cos: c, sin: s)
    }

    public func apply(_ v: inout [Float], position: Int) {
        precondition(v.count >= dims)
        v.withUnsafeMutableBufferPointer { apply($0.baseAddress!, position: position) }
    }
}
