/// Small vectorized kernels used by the forward pass. Written with SIMD8 so they vectorize on any
/// x86-64/arm64 baseline; libm's scalar expf would dominate softmax and SiLU otherwise.
enum VectorMath {
    typealias V8 = SIMD8<Float>

    /// e^x for 8 lanes (Cephes-style range reduction + degree-6 polynomial; ≈1 ulp on the clamped range).
    @inline(__always) static func exp8(_ xIn: V8) -> V8 {
        let x = clamp8(xIn, V8(repeating: -87.0), V8(repeating: 88.0))
        // Round x·log2(e) to the nearest integer by adding 1.5·2^23; the integer lands in the low mantissa bits.
        let magic = V8(repeating: 12582912.0)
        let t = x * 1.44269504088896341 + magic
        let n = t - magic
        var r = x - n * 0.693359375
        r = r - n * -2.12194440e-4
        var p = V8(repeating: 1.9875691500e-4)
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        p = p * (r * r) + r + 1
        let tb = unsafeBitCast(t, to: SIMD8<UInt32>.self)
        let bits = (tb &- SIMD8<UInt32>(repeating: 0x4B40_0000) &+ 127) &<< 23
        return p * unsafeBitCast(bits, to: V8.self)
    }

    /// `x.clamped(lowerBound:upperBound:)` as two blends: the standard library's SIMD clamp goes through
    /// `pointwiseMin`/`pointwiseMax`, which are lane-by-lane `Float.minimum` calls (≈ 2 % of an HF scoring
    /// run). Same results, NaN included (a NaN lane becomes `lo`, as `Float.maximum(.nan, lo)` gives).
    @inline(__always) static func clamp8(_ x: V8, _ lo: V8, _ hi: V8) -> V8 {
        let a = x.replacing(with: lo, where: .!(x .>= lo))
        return a.replacing(with: hi, where: a .> hi)
    }

    /// Lane-wise max as one blend (see `clamp8`); a NaN lane in `b` keeps `a`.
    @inline(__always) static func max8(_ a: V8, _ b: V8) -> V8 { a.replacing(with: b, where: b .> a) }

    @inline(__always) static func exp(_ x: Float) -> Float { exp8(V8(repeating: x))[0] }

    @inline(__always) static func load(_ p: UnsafePointer<Float>) -> V8 {
        UnsafeRawPointer(p).loadUnaligned(as: V8.self)
    }

    @inline(__always) static func store(_ v: V8, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: V8.self)
    }

    /// In-place softmax of x[0..<n]; returns nothing, x sums to 1 afterwards.
    static func softmax(_ x: UnsafeMutablePointer<Float>, _ n: Int) {
        // The maximum 8 lanes at a time (NaN lanes skipped, as the scalar `x[i] > mx` skips them).
        var i = 0
        var mx8 = V8(repeating: -Float.infinity)
        while i + 8 <= n { mx8 = max8(mx8, load(x + i)); i += 8 }
        var mx = mx8.max()
        while i < n { if x[i] > mx { mx = x[i] }; i += 1 }
        i = 0
        var acc = V8.zero
        let m8 = V8(repeating: mx)
        while i + 8 <= n {
            let e = exp8(load(x + i) - m8)
            store(e, x + i)
            acc += e
            i += 8
        }
        var sum = acc.sum()
        while i < n { let e = exp(x[i] - mx); x[i] = e; sum += e; i += 1 }
        let inv = 1 / sum
        i = 0
        let inv8 = V8(repeating: inv)
        while i + 8 <= n { store(load(x + i) * inv8, x + i); i += 8 }
        while i < n { x[i] *= inv; i += 1 }
    }

    /// out[i] = silu(g[i]) * u[i].
    static func siluMul(_ g: UnsafePointer<Float>, _ u: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int) {
        var i = 0
        let one = V8(repeating: 1)
        while i + 8 <= n {
            let gv = load(g + i)
            store(gv / (one + exp8(-gv)) * load(u + i), out + i)
            i += 8
        }
        while i < n { let gv = g[i]; out[i] = gv / (1 + exp(-gv)) * u[i]; i += 1 }
    }

    /// out = x / sqrt(mean(x²) + eps) * w.
    static func rmsNorm(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int, eps: Float) {
        var acc = V8.zero
        var i = 0
        while i + 8 <= n { let v = load(x + i); acc += v * v; i += 8 }
        var ss = Double(acc.sum())
        while i < n { ss += Double(x[i] * x[i]); i += 1 }
        let scale = Float(1 / (ss / Double(n) + Double(eps)).squareRoot())
        i = 0
        let s8 = V8(repeating: scale)
        while i + 8 <= n { store(load(x + i) * s8 * load(w + i), out + i); i += 8 }
        while i < n { out[i] = x[i] * scale * w[i]; i += 1 }
    }

    /// Σ a[i]·b[i].
    @inline(__always) static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc0 = V8.zero, acc1 = V8.zero
        var i = 0
        while i + 16 <= n {
            acc0 += load(a + i) * load(b + i)
            acc1 += load(a + i + 8) * load(b + i + 8)
            i += 16
        }
        while i + 8 <= n { acc0 += load(a + i) * load(b + i); i += 8 }
        var s = (acc0 + acc1).sum()
        while i < n { s += a[i] * b[i]; i += 1 }
        return s
    }

    /// y += a·x.
    @inline(__always) static func axpy(_ a: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        var i = 0
        let a8 = V8(repeating: a)
        while i + 8 <= n { store(load(y + i) + a8 * load(x + i), y + i); i += 8 }
        while i < n { y[i] += a * x[i]; i += 1 }
    }

    /// log Σ exp(x[i]) computed stably.
    static func logSumExp(_ x: UnsafePointer<Float>, _ n: Int) -> Double {
        var mx = -Float.infinity
        for i in 0..<n where x[i] > mx { mx = x[i] }
        var acc = V8.zero
        var i = 0
        let m8 = V8(repeating: mx)
        while i + 8 <= n { acc += exp8(load(x + i) - m8); i += 8 }
        var s = Double(acc.sum())
        while i < n { s += Double(exp(x[i] - mx)); i += 1 }
        return Double(mx) + _log(s)
    }
}

/// f32 → nearest-even f16 → f32, by bit manipulation (no F16C needed; the software conversion is slow).
@inline(__always) func roundToHalf(_ x: Float) -> Float {
    let b = x.bitPattern
    let e = (b >> 23) & 0xFF
    if e >= 113 {
        if e >= 143 { return x }  // beyond f16 range: leave as is (never reached by activations here)
        return Float(bitPattern: (b &+ 0xFFF &+ ((b >> 13) & 1)) & 0xFFFF_E000)
    }
    // f16 subnormal range: multiples of 2^-24; adding 0.5 makes f32 rounding do exactly that.
    let a = (abs(x) + 0.5) - 0.5
    return x < 0 ? -a : a
}

#if canImport(Glibc)
import Glibc
@inline(__always) func _log(_ x: Double) -> Double { Glibc.log(x) }
#else
import Darwin
@inline(__always) func _log(_ x: Double) -> Double { Darwin.log(x) }
#endif
