/// Seeded xoshiro256** generator: same seed ⇒ same samples on every platform (unlike SystemRandomNumberGenerator).
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var s: (UInt64, UInt64, UInt64, UInt64)

    public init(seed: UInt64) {
        var x = seed
        func splitmix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s = (splitmix(), splitmix(), splitmix(), splitmix())
    }

    public mutating func next() -> UInt64 {
        let result = ((s.1 &* 5) << 7 | (s.1 &* 5) >> 57) &* 9
        let t = s.1 << 17
        s.2 ^= s.0; s.3 ^= s.1; s.1 ^= s.2; s.0 ^= s.3
        s.2 ^= t
        s.3 = s.3 << 45 | s.3 >> 19
        return result
    }

    /// Uniform in [0, 1).
    public mutating func nextUnit() -> Double { Double(next() >> 11) * 0x1.0p-53 }
}

/// Picks the next token from logits: repetition penalty → top-k → top-p → min-p → temperature → draw
/// (the order llama.cpp's default chain uses). Temperature ≤ 0 means greedy argmax.
///
/// Per token it makes no allocations once warm (candidate scratch is kept) and never sorts or
/// normalizes the whole vocabulary: plain temperature sampling draws in two vectorized passes; the
/// filters sort only the tokens within a few nats of the best, widening the window only when those
/// tokens cannot decide the filter.
public struct Sampler: Sendable {
    public let options: GenerationOptions
    private var rng: SeededGenerator
    private var ids: [Int32] = []
    private var keys: [UInt64] = []
    private var probs: [Double] = []

    public init(options: GenerationOptions, stream: Int = 0) {
        self.options = options
        // Distinct, reproducible streams per sample.
        rng = SeededGenerator(seed: options.seed &+ UInt64(stream) &* 0x9E37_79B9_7F4A_7C15)
    }

    public mutating func sample(_ logitsIn: [Float], history: [Int32]) -> Int32 {
        var logits = logitsIn
        return logits.withUnsafeMutableBufferPointer { sample($0, history: history) }
    }

    /// `logits` may be modified.
    public mutating func sample(_ logits: UnsafeMutableBufferPointer<Float>, history: [Int32]) -> Int32 {
        let n = logits.count
        if options.repetitionPenalty != 1 && options.repeatLastN != 0 {
            let window = options.repeatLastN < 0 ? history[...] : history.suffix(options.repeatLastN)
            // Each distinct token once; the window is short, so a backwards scan beats a Set allocation.
            var k = window.startIndex
            while k < window.endIndex {
                let t = window[k]
                if t >= 0 && Int(t) < n && !window[window.startIndex..<k].contains(t) {
                    let l = logits[Int(t)]
                    logits[Int(t)] = l > 0 ? l / options.repetitionPenalty : l * options.repetitionPenalty
                }
                k += 1
            }
        }
        if options.temperature <= 0 { return Self.argmax(logits) }
        let x = UnsafeBufferPointer(logits)
        let mx = Self.maximum(x)
        // Candidates whose probability relative to the best is below e^-40 carry < 1e-13 of the mass in total.
        let cutoff = mx - 40 * max(options.temperature, 1e-3)
        if options.topK <= 0 && options.topP >= 1 && options.minP <= 0 {
            return Self.draw(x, max: mx, invT: 1 / max(options.temperature, 1e-6), cutoff: cutoff, u: rng.nextUnit())
        }
        // Mass at temperature 1 of every candidate, for the nucleus / min-p filters (not needed with top-k,
        // whose filters normalize over the k kept).
        let total = options.topK > 0 ? 0 : Self.sumExp(x, max: mx, cutoff: cutoff)
        for delta: Float in [8, 16, 24, .infinity] {
            let lo = max(cutoff, mx - delta)
            let complete = lo == cutoff
            if !complete && options.topK <= 0 {
                // Skip windows that cannot decide the filters before paying for a sort: top-p needs the
                // window's mass to reach p; min-p alone needs every token within −ln(min-p) of the best.
                if options.topP < 1 {
                    var mass: Double = 0
                    for i in 0..<n where x[i] >= lo { mass += _expD(Double(x[i] - mx)) }
                    if mass < Double(options.topP) * total { continue }
                } else if options.minP > 0 && Double(mx - lo) < -_logD(Double(options.minP)) {
                    continue
                }
            }
            // Sort (logit desc, id asc) as one integer key per token: order-preserving float bits, inverted id.
            keys.removeAll(keepingCapacity: true)
            for i in 0..<n where x[i] >= lo {
                let b = x[i].bitPattern
                let ordered = b & 0x8000_0000 != 0 ? ~b : b | 0x8000_0000
                keys.append(UInt64(ordered) << 32 | UInt64(UInt32.max - UInt32(i)))
            }
            if options.topK > 0 && keys.count < options.topK && !complete { continue }
            keys.sort(by: >)
            ids.removeAll(keepingCapacity: true)
            for k in keys.prefix(options.topK > 0 ? options.topK : keys.count) { ids.append(Int32(bitPattern: UInt32.max - UInt32(truncatingIfNeeded: k))) }
            probs.removeAll(keepingCapacity: true)
            for t in ids { probs.append(_expD(Double(x[Int(t)]) - Double(mx))) }
            let z = options.topK > 0 ? probs.reduce(0, +) : total
            // Whether the kept window holds every candidate the filters could keep.
            let whole = complete || options.topK > 0
            var keep = ids.count
            if options.topP < 1 {
                var acc: Double = 0
                var found = false
                for i in 0..<probs.count {
                    acc += probs[i] / z
                    if acc >= Double(options.topP) { keep = i + 1; found = true; break }
                }
                if !found && !whole { continue }
            }
            if options.minP > 0 {
                let threshold = probs[0] * Double(options.minP)
                if let cut = probs[..<keep].firstIndex(where: { $0 < threshold }) {
                    keep = max(1, cut)
                } else if keep == ids.count && !whole {
                    continue
                }
            }
            // Final draw at the temperature over the kept tokens (sorted, best first).
            let t = Double(max(options.temperature, 1e-6))
            let l0 = Double(x[Int(ids[0])])
            var sum: Double = 0
            for i in 0..<keep { probs[i] = _expD((Double(x[Int(ids[i])]) - l0) / t); sum += probs[i] }
            var u = rng.nextUnit() * sum
            for i in 0..<keep {
                u -= probs[i]
                if u < 0 { return ids[i] }
            }
            return ids[keep - 1]
        }
        return Self.argmax(logits)  // unreachable: the last window is complete
    }

    static func argmax(_ x: UnsafeMutableBufferPointer<Float>) -> Int32 {
        var best = 0
        var bv = -Float.infinity
        for i in 0..<x.count where x[i] > bv { bv = x[i]; best = i }
        return Int32(best)
    }

    static func maximum(_ x: UnsafeBufferPointer<Float>) -> Float {
        let n = x.count
        var m8 = VectorMath.V8(repeating: -.infinity)
        var i = 0
        while i + 8 <= n { m8 = pointwiseMax(m8, VectorMath.load(x.baseAddress! + i)); i += 8 }
        var m = m8.max()
        while i < n { m = Swift.max(m, x[i]); i += 1 }
        return m
    }

    /// e^((x−max)·invT) for 8 lanes, 0 below the cutoff.
    @inline(__always) static func weights8(_ v: VectorMath.V8, max: Float, invT: Float, cutoff: Float) -> VectorMath.V8 {
        VectorMath.exp8((v - max) * invT).replacing(with: 0, where: v .< cutoff)
    }

    static func sumExp(_ x: UnsafeBufferPointer<Float>, max mx: Float, cutoff: Float) -> Double {
        let n = x.count
        var acc: Double = 0
        var i = 0
        while i + 8 <= n { acc += Double(weights8(VectorMath.load(x.baseAddress! + i), max: mx, invT: 1, cutoff: cutoff).sum()); i += 8 }
        while i < n { if x[i] >= cutoff { acc += _expD(Double(x[i] - mx)) }; i += 1 }
        return acc
    }

    /// Draws index i with probability ∝ e^((x_i − max)/T) in two passes (total, then the walk to u·total),
    /// in vocabulary order, with the same block sums in both passes so the walk always lands.
    static func draw(_ x: UnsafeBufferPointer<Float>, max mx: Float, invT: Float, cutoff: Float, u: Double) -> Int32 {
        let n = x.count, p = x.baseAddress!
        @inline(__always) func scalar(_ i: Int) -> Double { x[i] >= cutoff ? Double(VectorMath.exp((x[i] - mx) * invT)) : 0 }
        var total: Double = 0
        var i = 0
        while i + 8 <= n { total += Double(weights8(VectorMath.load(p + i), max: mx, invT: invT, cutoff: cutoff).sum()); i += 8 }
        while i < n { total += scalar(i); i += 1 }
        let target = u * total
        var acc: Double = 0
        var last = 0
        i = 0
        while i + 8 <= n {
            let w = weights8(VectorMath.load(p + i), max: mx, invT: invT, cutoff: cutoff)
            let b = Double(w.sum())
            if b > 0 {
                if acc + b > target {
                    var a = acc
                    for k in 0..<8 where w[k] > 0 {
                        a += Double(w[k])
                        last = i + k
                        if a > target { return Int32(i + k) }
                    }
                }
                for k in 0..<8 where w[k] > 0 { last = i + k }
                acc += b
            }
            i += 8
        }
        while i < n {
            let w = scalar(i)
            if w > 0 {
                acc += w
                last = i
                if acc > target { return Int32(i) }
            }
            i += 1
        }
        return Int32(last)
    }
}

#if canImport(Glibc)
import Glibc
@inline(__always) func _expD(_ x: Double) -> Double { Glibc.exp(x) }
@inline(__always) func _logD(_ x: Double) -> Double { Glibc.log(x) }
#else
import Darwin
@inline(__always) func _expD(_ x: Double) -> Double { Darwin.exp(x) }
@inline(__always) func _logD(_ x: Double) -> Double { Darwin.log(x) }
#endif
