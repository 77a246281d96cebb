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
    /// Per-bucket masses for the bucketed nucleus (top-p alone), kept between tokens.
    private var bucketMass: [Double] = []
    private var bucketWeight: [Double] = []

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
        if options.topK <= 0 && options.minP <= 0 && options.topP < 1 {
            return nucleus(x, max: mx, cutoff: cutoff, u: rng.nextUnit())
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

    /// Buckets over the candidates' distance from the best logit (monotone in the logit, so the sorted
    /// order visits buckets in ascending order).
    static let buckets = 4096

    /// Top-p alone without sorting the nucleus: one pass sums each bucket's mass at temperature 1 (for the
    /// cut) and at the sampling temperature (for the draw); only the bucket where the cut falls and the
    /// bucket where the draw lands are sorted (logit desc, id asc), so the result is the sorted-order chain's
    /// (`filtersMatchFullSortReference`) up to the rounding of the bucket sums. A flat distribution's
    /// nucleus holds thousands of tokens; sorting them was most of a sampled token's time.
    private mutating func nucleus(_ x: UnsafeBufferPointer<Float>, max mx: Float, cutoff: Float, u: Double) -> Int32 {
        let n = x.count, nb = Self.buckets
        if bucketMass.count != nb {
            bucketMass = [Double](repeating: 0, count: nb)
            bucketWeight = [Double](repeating: 0, count: nb)
        }
        let invT = 1 / max(options.temperature, 1e-6)
        let p = x.baseAddress!
        // Pass 1 (vectorized): the total mass, and the mass within 8 nats of the best. When that window
        // already holds p of the mass (peaked distributions), only its tokens are bucketed.
        var total: Double = 0, near: Double = 0
        do {
            let nearLo = VectorMath.V8(repeating: mx - 8)
            var i = 0
            while i + 8 <= n {
                let v = VectorMath.load(p + i)
                let e = Self.weights8(v, max: mx, invT: 1, cutoff: cutoff)
                total += Double(e.sum())
                near += Double(e.replacing(with: 0, where: v .< nearLo).sum())
                i += 8
            }
            while i < n {
                if x[i] >= cutoff {
                    let e = Double(VectorMath.exp(x[i] - mx))
                    total += e
                    if x[i] >= mx - 8 { near += e }
                }
                i += 1
            }
        }
        let goal = Double(options.topP) * total
        let lo = near >= goal ? max(cutoff, mx - 8) : cutoff
        let scale = Float(nb) / max(mx - lo, 1e-6)
        let top = VectorMath.V8(repeating: Float(nb - 1)), zero = VectorMath.V8(repeating: 0)
        let lo8 = VectorMath.V8(repeating: lo)
        // Pass 2: bucket masses of the tokens ≥ lo (bucket = ⌊(max − x)·scale⌋, clamped).
        bucketMass.withUnsafeMutableBufferPointer { mass in
            bucketWeight.withUnsafeMutableBufferPointer { wt in
                mass.update(repeating: 0)
                wt.update(repeating: 0)
                var i = 0
                while i < n {
                    var v = VectorMath.V8(repeating: -.infinity)
                    if i + 8 <= n { v = VectorMath.load(p + i) } else { for k in 0..<(n - i) { v[k] = p[i + k] } }
                    let inside = v .>= lo8
                    if any(inside) {
                        let e = VectorMath.exp8(v - mx)
                        let w = VectorMath.exp8((v - mx) * invT)
                        let j = VectorMath.clamp8((mx - v) * scale, zero, top).rounded(.towardZero)
                        for k in 0..<8 where inside[k] {
                            let b = Int(j[k])
                            mass[b] += Double(e[k])
                            wt[b] += Double(w[k])
                        }
                    }
                    i += 8
                }
            }
        }
        // The bucket where the cumulative mass reaches top-p.
        var cum: Double = 0, wBefore: Double = 0
        var cut = nb - 1
        var found = false
        for j in 0..<nb {
            if cum + bucketMass[j] >= goal { cut = j; found = true; break }
            cum += bucketMass[j]
            wBefore += bucketWeight[j]
        }
        if !found {  // rounding kept the cumulative mass just below p: keep every candidate
            cut = bucketMass.lastIndex { $0 > 0 } ?? 0
            cum = 0; wBefore = 0
            for j in 0..<cut { cum += bucketMass[j]; wBefore += bucketWeight[j] }
        }
        // Members of the cut bucket in sorted order; keep them until the mass reaches p.
        gather(x, bucket: cut, max: mx, cutoff: lo, scale: scale)
        var keepInCut = ids.count
        var wCut: Double = 0
        probs.removeAll(keepingCapacity: true)
        for (k, t) in ids.enumerated() {
            let v = x[Int(t)]
            probs.append(Double(VectorMath.exp((v - mx) * invT)))
            wCut += probs[k]
            cum += Double(VectorMath.exp(v - mx))
            if found && cum >= goal { keepInCut = k + 1; break }
        }
        // The draw: u · (kept weight), walked in sorted order (buckets, then members of the landing bucket).
        let target = u * (wBefore + wCut)
        var acc: Double = 0
        for j in 0..<cut where bucketWeight[j] > 0 {
            if acc + bucketWeight[j] > target {
                gather(x, bucket: j, max: mx, cutoff: lo, scale: scale)
                for t in ids {
                    acc += Double(VectorMath.exp((x[Int(t)] - mx) * invT))
                    if acc > target { return t }
                }
                return ids.last!
            }
            acc += bucketWeight[j]
        }
        for k in 0..<keepInCut {
            acc += probs[k]
            if acc > target { return ids[k] }
        }
        return ids[keepInCut - 1]
    }

    /// `ids` ← the candidates of one bucket, sorted by (logit desc, id asc).
    private mutating func gather(_ x: UnsafeBufferPointer<Float>, bucket b: Int, max mx: Float, cutoff: Float, scale: Float) {
        let n = x.count, nb = Self.buckets
        // The bucket's logit interval, widened by a little so float rounding cannot drop a member; the
        // exact bucket test below decides.
        let hi = mx - Float(b) / scale, lo = b == nb - 1 ? -Float.infinity : mx - Float(b + 1) / scale
        let span = max(abs(hi), abs(lo == -.infinity ? hi : lo)) * 1e-5 + 1e-6
        let loW: Float = lo - span, hiW: Float = hi + span, top = Float(nb - 1)
        let lo8 = VectorMath.V8(repeating: loW), hi8 = VectorMath.V8(repeating: hiW)
        keys.removeAll(keepingCapacity: true)
        let p = x.baseAddress!
        @inline(__always) func consider(_ i: Int) {
            let v = x[i]
            guard v >= cutoff, v >= loW, v <= hiW else { return }
            let d: Float = (mx - v) * scale
            guard Int(min(max(d, 0), top)) == b else { return }
            let bits = v.bitPattern
            let ordered = bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000
            keys.append(UInt64(ordered) << 32 | UInt64(UInt32.max - UInt32(i)))
        }
        var i = 0
        while i + 8 <= n {
            let v = VectorMath.load(p + i)
            if any((v .>= lo8) .& (v .<= hi8)) { for k in 0..<8 { consider(i + k) } }
            i += 8
        }
        while i < n { consider(i); i += 1 }
        keys.sort(by: >)
        ids.removeAll(keepingCapacity: true)
        for k in keys { ids.append(Int32(bitPattern: UInt32.max - UInt32(truncatingIfNeeded: k))) }
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
        while i + 8 <= n { m8 = VectorMath.max8(m8, VectorMath.load(x.baseAddress! + i)); i += 8 }
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
