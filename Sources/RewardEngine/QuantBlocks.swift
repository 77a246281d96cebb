import CEngineKernels

/// ggml tensor element types this engine knows the layout of (values are the on-disk type ids).
public enum GGMLType: UInt32, Sendable, CaseIterable {
    case f32 = 0, f16 = 1, q4_0 = 2, q4_1 = 3, q5_0 = 6, q5_1 = 7, q8_0 = 8, q8_1 = 9
    case q2_K = 10, q3_K = 11, q4_K = 12, q5_K = 13, q6_K = 14, q8_K = 15
    case bf16 = 30
    /// RewardKit's own 7-bit block (`RK_TYPE_Q7_1`), made at load from f32/f16/bf16 checkpoints
    /// (`QuantizedWeightSource`); never read from a GGUF file (the id is outside ggml's range).
    case q7_1 = 1007

    /// Elements per block.
    public var blockSize: Int {
        switch self {
        case .f32, .f16, .bf16: return 1
        case .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q8_1, .q7_1: return 32
        case .q2_K, .q3_K, .q4_K, .q5_K, .q6_K, .q8_K: return 256
        }
    }

    /// Bytes per block.
    public var blockBytes: Int {
        switch self {
        case .f32: return 4
        case .f16, .bf16: return 2
        case .q4_0: return 18
        case .q4_1: return 20
        case .q5_0: return 22
        case .q5_1: return 24
        case .q8_0: return 34
        case .q8_1, .q7_1: return 36
        case .q2_K: return 84
        case .q3_K: return 110
        case .q4_K: return 144
        case .q5_K: return 176
        case .q6_K: return 210
        case .q8_K: return 292
        }
    }

    /// Types we can decode to f32.
    public var isSupported: Bool {
        switch self {
        case .f32, .f16, .bf16, .q8_0, .q4_0, .q4_1, .q5_0, .q5_1, .q2_K, .q3_K, .q4_K, .q5_K, .q6_K, .q7_1: return true
        default: return false
        }
    }

    public var name: String { "\(self)".uppercased() }

    /// The decodable types, for error messages.
    public static var supportedNames: String { allCases.filter { $0.isSupported && !$0.isInternal }.map(\.name).joined(separator: ", ") }

    /// Block types of RewardKit's own (made at load), which a model file may not declare.
    public var isInternal: Bool { self == .q7_1 }

    /// Names of the ggml type ids this engine has no layout for (for error messages).
    static let otherTypeNames: [UInt32: String] = [
        4: "Q4_2 (removed)", 5: "Q4_3 (removed)", 16: "IQ2_XXS", 17: "IQ2_XS", 18: "IQ3_XXS", 19: "IQ1_S",
        20: "IQ4_NL", 21: "IQ3_S", 22: "IQ2_S", 23: "IQ4_XS", 24: "I8", 25: "I16", 26: "I32", 27: "I64",
        28: "F64", 29: "IQ1_M", 34: "TQ1_0", 35: "TQ2_0", 39: "MXFP4", 40: "NVFP4", 41: "Q1_0",
    ]
}

/// All 65,536 f16 values as f32: a table lookup is far cheaper than the software conversion the
/// x86-64 baseline compiles `Float(Float16)` to.
let halfTable: [Float] = (0..<65536).map { Float(Float16(bitPattern: UInt16($0))) }

@inline(__always) func halfToFloat(_ p: UnsafeRawPointer, _ off: Int) -> Float {
    halfTable.withUnsafeBufferPointer { $0[Int(p.loadUnaligned(fromByteOffset: off, as: UInt16.self))] }
}

/// Block decoders: turn `count` elements (a multiple of the block size) of raw tensor data into f32.
/// Layouts follow the ggml block definitions (little-endian, f16 scales).
public enum QuantBlocks {
    public static func dequantize(_ type: GGMLType, _ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, count: Int) throws {
        guard count % type.blockSize == 0 else { throw EngineError.invalidArgument("count \(count) not a multiple of block size") }
        let nb = count / type.blockSize
        switch type {
        case .f32:
            // Byte copy: safetensors data need not be 4-byte aligned.
            UnsafeMutableRawPointer(dst).copyMemory(from: src, byteCount: count * 4)
        case .f16:
            for i in 0..<count { dst[i] = halfToFloat(src, 2 * i) }
        case .bf16:
            for i in 0..<count {
                let b = UInt32(src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                dst[i] = Float(bitPattern: b << 16)
            }
        case .q8_0, .q4_0, .q4_1, .q7_1:
            // The decode kernels' decoders (AVX2 or portable), one row of nb blocks.
            rk_dequantize_rows(Int32(type.rawValue), src, Int64(nb), dst, 0, 1)
        case .q4_K:
            for b in 0..<nb { q4_KBlock(src + b * 144, dst + b * 256) }
        case .q6_K:
            for b in 0..<nb { q6_KBlock(src + b * 210, dst + b * 256) }
        case .q5_0:
            for b in 0..<nb { q5Block(src + b * 22, dst + b * 32, hasMin: false) }
        case .q5_1:
            for b in 0..<nb { q5Block(src + b * 24, dst + b * 32, hasMin: true) }
        case .q5_K:
            for b in 0..<nb { q5_KBlock(src + b * 176, dst + b * 256) }
        case .q3_K:
            for b in 0..<nb { q3_KBlock(src + b * 110, dst + b * 256) }
        case .q2_K:
            for b in 0..<nb { q2_KBlock(src + b * 84, dst + b * 256) }
        default:
            throw EngineError.unsupported("tensor type \(type.name) (supported: \(GGMLType.supportedNames))")
        }
    }

    /// Q5_0 (f16 d, 4 bytes of high bits, 16 bytes of nibbles; x = d·(q−16)) and Q5_1 (f16 d, f16 m, then
    /// the same; x = d·q + m). Element j < 16 takes the low nibble of byte j and bit j of the high-bit
    /// word; element j + 16 the high nibble of byte j and bit j + 16.
    @inline(__always) static func q5Block(_ p: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, hasMin: Bool) {
        let d = halfToFloat(p, 0)
        let m = hasMin ? halfToFloat(p, 2) : -16 * d
        let o = hasMin ? 4 : 2
        let qh = UInt32(littleEndian: p.loadUnaligned(fromByteOffset: o, as: UInt32.self))
        let q = (p + o + 4).assumingMemoryBound(to: UInt8.self)
        for j in 0..<16 {
            let lo = UInt32(q[j] & 0xF) | ((qh >> UInt32(j)) & 1) << 4
            let hi = UInt32(q[j] >> 4) | ((qh >> UInt32(j + 16)) & 1) << 4
            y[j] = Float(lo) * d + m
            y[j + 16] = Float(hi) * d + m
        }
    }

    /// Q5_K: f16 d, f16 dmin, 12 bytes of 6-bit scales/mins (as Q4_K), 32 bytes of high bits, 128 bytes of
    /// nibbles. Sub-blocks 2k and 2k+1 use the low/high nibbles of bytes 32k..32k+31 and bits 2k/2k+1 of qh.
    static func q5_KBlock(_ p: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = halfToFloat(p, 0), dmin = halfToFloat(p, 2)
        let scales = (p + 4).assumingMemoryBound(to: UInt8.self)
        let qh = (p + 16).assumingMemoryBound(to: UInt8.self)
        let qs = (p + 48).assumingMemoryBound(to: UInt8.self)
        for k in 0..<4 {
            let (sc1, m1) = scaleMinK4(2 * k, scales)
            let (sc2, m2) = scaleMinK4(2 * k + 1, scales)
            let d1 = d * sc1, mm1 = dmin * m1, d2 = d * sc2, mm2 = dmin * m2
            let q = qs + 32 * k, out = y + 64 * k
            let b1 = UInt8(1) << UInt8(2 * k), b2 = UInt8(2) << UInt8(2 * k)
            for l in 0..<32 {
                out[l] = d1 * Float((q[l] & 0xF) | (qh[l] & b1 != 0 ? 16 : 0)) - mm1
                out[l + 32] = d2 * Float((q[l] >> 4) | (qh[l] & b2 != 0 ? 16 : 0)) - mm2
            }
        }
    }

    /// Q3_K: 32 bytes of high bits (hmask), 64 bytes of 2-bit quants, 12 bytes holding 16 6-bit scales
    /// (offset 32), f16 d. 16 sub-blocks of 16: quant = 2 bits − (high bit clear ? 4 : 0); x = d·(s−32)·quant.
    static func q3_KBlock(_ p: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let hm = p.assumingMemoryBound(to: UInt8.self)
        let qs = (p + 32).assumingMemoryBound(to: UInt8.self)
        let sb = (p + 96).assumingMemoryBound(to: UInt8.self)
        let d = halfToFloat(p, 108)
        var out = y
        var sub = 0
        for half in 0..<2 {
            let q = qs + 32 * half
            for j in 0..<4 {
                let shift = UInt8(2 * j)
                let mask = UInt8(1) << UInt8(4 * half + j)
                for part in 0..<2 {
                    // Scale `sub`: low 4 bits from byte sub (sub < 8) or the high nibble of byte sub − 8;
                    // high 2 bits from byte 8 + sub % 4 at bit 2·(sub / 4).
                    let low = sub < 8 ? sb[sub] & 0xF : sb[sub - 8] >> 4
                    let high = (sb[8 + sub % 4] >> UInt8(2 * (sub / 4))) & 3
                    let dl = d * Float(Int(low | high << 4) - 32)
                    for l in 0..<16 {
                        let i = l + 16 * part
                        let v = Int((q[i] >> shift) & 3) - (hm[i] & mask != 0 ? 0 : 4)
                        out[l] = dl * Float(v)
                    }
                    out += 16
                    sub += 1
                }
            }
        }
    }

    /// Q2_K: 16 bytes of 4-bit (scale | min << 4), 64 bytes of 2-bit quants, f16 d, f16 dmin.
    /// 16 sub-blocks of 16: x = d·scale·q − dmin·min.
    static func q2_KBlock(_ p: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let sc = p.assumingMemoryBound(to: UInt8.self)
        let qs = (p + 16).assumingMemoryBound(to: UInt8.self)
        let d = halfToFloat(p, 80), dmin = halfToFloat(p, 82)
        var out = y
        var sub = 0
        for half in 0..<2 {
            let q = qs + 32 * half
            for j in 0..<4 {
                let shift = UInt8(2 * j)
                for part in 0..<2 {
                    let dl = d * Float(sc[sub] & 0xF), ml = dmin * Float(sc[sub] >> 4)
                    for l in 0..<16 { out[l] = dl * Float((q[l + 16 * part] >> shift) & 3) - ml }
                    out += 16
                    sub += 1
                }
            }
        }
    }

    /// 6-bit scale/min pair j of a Q4_K/Q5_K super-block (12 packed bytes).
    @inline(__always) static func scaleMinK4(_ j: Int, _ q: UnsafePointer<UInt8>) -> (Float, Float) {
        if j < 4 {
            return (Float(q[j] & 63), Float(q[j + 4] & 63))
        }
        let d = (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4)
        let m = (q[j + 4] >> 4) | ((q[j] >> 6) << 4)
        return (Float(d), Float(m))
    }

    /// Q4_K: f16 d, f16 dmin, 12 bytes of 6-bit scales/mins, 128 bytes of nibbles; 8 sub-blocks of 32.
    static func q4_KBlock(_ p: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = halfToFloat(p, 0), dmin = halfToFloat(p, 2)
        let scales = (p + 4).assumingMemoryBound(to: UInt8.self)
        var q = (p + 16).assumingMemoryBound(to: UInt8.self)
        var out = y
        for s in stride(from: 0, to: 8, by: 2) {
            let (sc1, m1) = scaleMinK4(s, scales)
            let (sc2, m2) = scaleMinK4(s + 1, scales)
            let d1 = d * sc1, mm1 = dmin * m1, d2 = d * sc2, mm2 = dmin * m2
            for l in 0..<32 { out[l] = d1 * Float(q[l] & 0xF) - mm1 }
            for l in 0..<32 { out[l + 32] = d2 * Float(q[l] >> 4) - mm2 }
            out += 64
            q += 32
        }
    }

    /// Q6_K: 128 bytes low nibbles, 64 bytes high 2-bit pairs, 16 int8 scales, f16 d.
    static func q6_KBlock(_ p: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = halfToFloat(p, 208)
        var ql = p.assumingMemoryBound(to: UInt8.self)
        var qh = (p + 128).assumingMemoryBound(to: UInt8.self)
        var sc = (p + 192).assumingMemoryBound(to: Int8.self)
        var out = y
        for _ in 0..<2 {
            for l in 0..<32 {
                let isc = l / 16
                let q1 = Int((ql[l] & 0xF) | ((qh[l] & 3) << 4)) - 32
                let q2 = Int((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32
                let q3 = Int((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32
                let q4 = Int((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32
                out[l] = d * Float(sc[isc]) * Float(q1)
                out[l + 32] = d * Float(sc[isc + 2]) * Float(q2)
                out[l + 64] = d * Float(sc[isc + 4]) * Float(q3)
                out[l + 96] = d * Float(sc[isc + 6]) * Float(q4)
            }
            out += 128
            ql += 64
            qh += 32
            sc += 8
        }
    }
}
