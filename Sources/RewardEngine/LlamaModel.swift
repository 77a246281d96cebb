import CEngineKernels
import Dispatch

/// A run of consecutive batch rows that belong to one sequence (its own KV cache).
struct BatchSegment {
    let cache: KVCache
    /// First row in the batch.
    let start: Int
    let count: Int
}

/// One transformer block's weights. Projections are `Linear` views of the mapped file [out × in]
/// (row = output unit), with an f32 copy for sgemm when the model keeps dense weights.
final class LayerWeights: @unchecked Sendable {
    let attnNorm: FloatBuffer
    let ffnNorm: FloatBuffer
    /// Q, K and V stacked: [(qDim + 2·kvDim) × d].
    let wqkv: Linear
    let bqkv: FloatBuffer?
    /// Qwen3: RMSNorm weights [headDim] applied to each query / key head before RoPE.
    let qNorm: FloatBuffer?
    let kNorm: FloatBuffer?
    let wo: Linear
    /// Gate and up stacked: [2·ff × d].
    let wgu: Linear
    let wdown: Linear

    init(attnNorm: FloatBuffer, ffnNorm: FloatBuffer, wqkv: Linear, bqkv: FloatBuffer?, qNorm: FloatBuffer? = nil,
         kNorm: FloatBuffer? = nil, wo: Linear, wgu: Linear, wdown: Linear) {
        self.attnNorm = attnNorm; self.ffnNorm = ffnNorm; self.wqkv = wqkv; self.bqkv = bqkv
        self.qNorm = qNorm; self.kNorm = kNorm
        self.wo = wo; self.wgu = wgu; self.wdown = wdown
    }
}

/// Llama-family decoder (Llama 2/3, SmolLM2, Qwen2, Qwen3): RMSNorm, RoPE, GQA attention, SwiGLU.
/// Weights come through `WeightSource` (GGUF or safetensors), under GGUF tensor names.
final class LlamaModel: @unchecked Sendable {
    let config: ModelConfig
    let weights: any WeightSource
    let layers: [LayerWeights]
    let outputNorm: FloatBuffer
    /// The LM head; nil when built without one (sequence-classification checkpoints).
    let output: Linear?
    let embedding: WeightTensor
    let rotary: RotaryEmbedding
    let threads: Int
    /// Bytes held beyond the mapped file (f32 copies of the projections; 0 when compact).
    let weightBytes: Int
    /// Scratch reused by every forward pass (callers are serialized by `GGUFLanguageModel`'s lock).
    let workspace = Workspace()

    /// True: f32 activations everywhere. False: token-by-token decode uses the 8-bit integer kernel.
    let exact: Bool
    /// Generation prefill (`SequenceBatch.add/extend`) computes its rows as decode steps: int8 kernel and
    /// per-row attention (llama.cpp's prefill is int8 too). Scoring paths never do; false when `exact`.
    let int8Prefill: Bool

    /// `dense`: keep f32 copies of the projections for batched sgemm (else dequantize tiles on the fly).
    /// `lmHead`: build the output projection (tied to the embedding when the source has no `output.weight`).
    /// `int8Prefill`: see the property (ignored when `exact`).
    init(weights file: any WeightSource, config: ModelConfig, threads: Int, exact: Bool = false, dense: Bool = true,
         lmHead: Bool = true, int8Prefill: Bool = false) throws {
        self.exact = exact
        self.int8Prefill = int8Prefill && !exact
        self.weights = file
        self.config = config
        self.threads = max(1, threads)
        // Loads OpenBLAS (a missing library is an error here, not a crash at the first call); it runs
        // single-threaded inside our own workers: its spinning pool and ours would fight over the cores.
        try BLAS.load()
        let d = config.embeddingLength, ff = config.feedForwardLength
        let qd = config.qDim, kvd = config.kvDim
        embedding = try file.require("token_embd.weight")
        guard embedding.dims.count == 2, embedding.dims[0] == d, embedding.dims[1] >= config.vocabSize else {
            throw EngineError.invalidFile("token_embd.weight has shape \(embedding.dims), expected [\(d), \(config.vocabSize)]")
        }
        guard embedding.type.isSupported else { throw EngineError.unsupported("tensor type \(embedding.type.name) for token_embd.weight") }

        func vector(_ name: String, _ n: Int) throws -> FloatBuffer {
            let t = try file.require(name)
            guard t.elementCount == n else { throw EngineError.invalidFile("\(name) has \(t.elementCount) elements, expected \(n)") }
            let b = FloatBuffer(count: n, zeroed: false)
            try QuantBlocks.dequantize(t.type, t.data, b.pointer, count: n)
            return b
        }
        func parts(_ names: [(String, Int)], cols: Int) throws -> Linear {
            var infos: [WeightTensor] = []
            for (name, rows) in names {
                let t = try file.require(name)
                guard t.dims.count == 2, t.dims[0] == cols, t.dims[1] == rows else {
                    throw EngineError.invalidFile("\(name) has shape \(t.dims), expected [\(cols), \(rows)]")
                }
                guard t.type.isSupported else {
                    throw EngineError.unsupported("tensor type \(t.type.name) for \(name) (supported: \(GGMLType.supportedNames))")
                }
                infos.append(t)
            }
            return try Linear(parts: infos, cols: cols, dense: dense)
        }
        var ls: [LayerWeights] = []
        var bytes = 0
        for i in 0..<config.layerCount {
            let p = "blk.\(i)."
            var bias: FloatBuffer? = nil
            if file.contains(p + "attn_q.bias") {
                let b = FloatBuffer(count: qd + 2 * kvd)
                for (name, off, n) in [("attn_q.bias", 0, qd), ("attn_k.bias", qd, kvd), ("attn_v.bias", qd + kvd, kvd)] {
                    let v = try vector(p + name, n)
                    (b.pointer + off).update(from: v.pointer, count: n)
                }
                bias = b
            }
            let l = LayerWeights(
                attnNorm: try vector(p + "attn_norm.weight", d),
                ffnNorm: try vector(p + "ffn_norm.weight", d),
                wqkv: try parts([(p + "attn_q.weight", qd), (p + "attn_k.weight", kvd), (p + "attn_v.weight", kvd)], cols: d),
                bqkv: bias,
                qNorm: file.contains(p + "attn_q_norm.weight") ? try vector(p + "attn_q_norm.weight", config.headDim) : nil,
                kNorm: file.contains(p + "attn_k_norm.weight") ? try vector(p + "attn_k_norm.weight", config.headDim) : nil,
                wo: try parts([(p + "attn_output.weight", d)], cols: qd),
                wgu: try parts([(p + "ffn_gate.weight", ff), (p + "ffn_up.weight", ff)], cols: d),
                wdown: try parts([(p + "ffn_down.weight", d)], cols: ff))
            bytes += l.wqkv.bytes + l.wo.bytes + l.wgu.bytes + l.wdown.bytes
            ls.append(l)
        }
        layers = ls
        outputNorm = try vector("output_norm.weight", d)
        if !lmHead {
            output = nil
        } else if file.contains("output.weight") {
            output = try parts([("output.weight", config.vocabSize)], cols: d)
        } else {
            // Tied embeddings: the output projection is the embedding matrix.
            let t = embedding
            let view = WeightTensor(name: t.name, dims: [d, config.vocabSize], type: t.type, data: t.data)
            output = try Linear(parts: [view], cols: d, dense: dense)
        }
        bytes += output?.bytes ?? 0
        weightBytes = bytes
        rotary = RotaryEmbedding(config: config)
    }

    /// Writes the embedding row of `token` (dequantized) to `dst`.
    func embed(_ token: Int32, into dst: UnsafeMutablePointer<Float>) {
        let d = config.embeddingLength
        let t = embedding
        let rowBytes = d / t.type.blockSize * t.type.blockBytes
        let tok = Int(token) >= 0 && Int(token) < config.vocabSize ? Int(token) : 0
        try? QuantBlocks.dequantize(t.type, t.data + tok * rowBytes, dst, count: d)
    }

    /// Runs a batch through the model; returns final-normalized hidden states [rows × d].
    /// Each segment's tokens are appended to its cache (positions continue from `cache.count`).
    /// `layerLimit` stops after that many blocks and returns the raw residual stream instead (diagnostics).
    /// `decodeStep`: every row is computed as a decode step of its own (unless `exact`, projections use the
    /// int8 kernel; attention runs per query row, its key chunking set by the row's position alone), so a
    /// row's result does not depend on how the rows were split into calls: prefilled in one pass, appended
    /// after a cached prefix, or decoded one at a time — bit for bit.
    /// `int8Batch`: projections through the int8 kernel but attention as a batch (HF `q8` scoring).
    /// `outputRows` (ascending batch rows): only these rows are wanted — the last block's work after attention
    /// (o-proj, MLP) and the final norm run for them alone (a pooled head reads one row per sequence); the
    /// result then has one row per entry, in that order. The KV caches are filled for every row regardless.
    func forward(tokens: [Int32], segments: [BatchSegment], layerLimit: Int? = nil, decodeStep: Bool = false,
                 int8Batch: Bool = false, outputRows: [Int]? = nil) -> FloatBuffer {
        let useKernel = (decodeStep || int8Batch) && !exact
        let T = tokens.count
        let d = config.embeddingLength, ff = config.feedForwardLength
        let qd = config.qDim, kvd = config.kvDim, hd = config.headDim
        let qkvDim = qd + 2 * kvd
        let eps = config.rmsEpsilon
        let x = FloatBuffer(count: T * d, zeroed: false)
        let h = FloatBuffer(count: T * d, zeroed: false)
        let qkv = FloatBuffer(count: T * qkvDim, zeroed: false)
        let attn = FloatBuffer(count: T * qd, zeroed: false)
        let gu = FloatBuffer(count: T * 2 * ff, zeroed: false)
        let act = FloatBuffer(count: T * ff, zeroed: false)
        var rowPos = [Int](repeating: 0, count: T)
        for s in segments {
            s.cache.reserve(s.cache.count + s.count)
            for r in 0..<s.count { rowPos[s.start + r] = s.cache.count + r }
        }
        for t in 0..<T { embed(tokens[t], into: x.pointer + t * d) }
        let rope = rotary.table(positions: rowPos)
        let par = T >= 16 ? threads : 1
        // Decode-step rows (and several single-token segments of a batch): attention per query row in one
        // parallel section.
        // Decode-step rows go in plans of at most 256 rows (bounds the split-K scratch of a long prompt).
        var decodePlans: [DecodeAttentionPlan] = []
        if decodeStep {
            let queries = segments.flatMap { s in (0..<s.count).map { (row: s.start + $0, cache: s.cache, length: s.cache.count + $0 + 1) } }
            for c0 in stride(from: 0, to: queries.count, by: 256) {
                decodePlans.append(DecodeAttentionPlan(rows: Array(queries[c0..<min(queries.count, c0 + 256)]), config: config, threads: threads))
            }
        } else {
            let decodeSegments = segments.filter { $0.count == 1 }
            if decodeSegments.count > 1 { decodePlans = [DecodeAttentionPlan(segments: decodeSegments, config: config, threads: threads)] }
        }

        // Rows carried through the post-attention work (all of them, until the last block when `outputRows`).
        var n = T
        if let sel = outputRows {
            precondition(zip(sel, sel.dropFirst()).allSatisfy { $0 < $1 } && (sel.first ?? 0) >= 0 && (sel.last ?? 0) < T,
                         "outputRows must be ascending batch rows")
        }
        for (li, L) in layers.enumerated() {
            if let lim = layerLimit, li >= lim { break }
            parallelRows(T, par) { t in VectorMath.rmsNorm(x.pointer + t * d, L.attnNorm.pointer, h.pointer + t * d, d, eps: eps) }
            L.wqkv.apply(h.pointer, rows: T, out: qkv.pointer, accumulate: false, threads: threads, workspace: workspace, useKernel: useKernel, perRow: decodeStep)
            parallelRows(T, par) { t in
                let row = qkv.pointer + t * qkvDim
                if let b = L.bqkv { for i in 0..<qkvDim { row[i] += b.pointer[i] } }
                if let qn = L.qNorm, let kn = L.kNorm {
                    for hh in 0..<self.config.headCount { VectorMath.rmsNorm(row + hh * hd, qn.pointer, row + hh * hd, hd, eps: eps) }
                    for hh in 0..<self.config.headCountKV {
                        VectorMath.rmsNorm(row + qd + hh * hd, kn.pointer, row + qd + hh * hd, hd, eps: eps)
                    }
                }
                for hh in 0..<self.config.headCount { rope.apply(row + hh * hd, row: t) }
                for hh in 0..<self.config.headCountKV { rope.apply(row + qd + hh * hd, row: t) }
            }
            for s in segments {
                let kc = s.cache.keys(li), vc = s.cache.values(li)
                for r in 0..<s.count {
                    let row = qkv.pointer + (s.start + r) * qkvDim
                    let p = s.cache.count + r
                    (kc + p * kvd).update(from: row + qd, count: kvd)
                    (vc + p * kvd).update(from: row + qd + kvd, count: kvd)
                }
            }
            for plan in decodePlans { decodeAttention(layer: li, plan: plan, qkv: qkv.pointer, qkvStride: qkvDim, out: attn.pointer) }
            for s in segments where !decodeStep && (s.count > 1 || decodePlans.isEmpty) {
                attention(layer: li, segment: s, qkv: qkv.pointer, qkvStride: qkvDim, out: attn.pointer)
            }
            if let sel = outputRows, li == layers.count - 1, layerLimit == nil {
                // Move the wanted rows to the front (ascending, so a row is read before it is overwritten).
                for (i, r) in sel.enumerated() where i != r {
                    (x.pointer + i * d).update(from: x.pointer + r * d, count: d)
                    (attn.pointer + i * qd).update(from: attn.pointer + r * qd, count: qd)
                }
                n = sel.count
            }
            L.wo.apply(attn.pointer, rows: n, out: x.pointer, accumulate: true, threads: threads, workspace: workspace, useKernel: useKernel, perRow: decodeStep)
            parallelRows(n, par) { t in VectorMath.rmsNorm(x.pointer + t * d, L.ffnNorm.pointer, h.pointer + t * d, d, eps: eps) }
            L.wgu.apply(h.pointer, rows: n, out: gu.pointer, accumulate: false, threads: threads, workspace: workspace, useKernel: useKernel, perRow: decodeStep)
            parallelRows(n, par) { t in
                let g = gu.pointer + t * 2 * ff
                VectorMath.siluMul(g, g + ff, act.pointer + t * ff, ff)
            }
            L.wdown.apply(act.pointer, rows: n, out: x.pointer, accumulate: true, threads: threads, workspace: workspace, useKernel: useKernel, perRow: decodeStep)
        }
        for s in segments { s.cache.count += s.count }
        if layerLimit != nil { return x }
        parallelRows(n, par) { t in VectorMath.rmsNorm(x.pointer + t * d, self.outputNorm.pointer, h.pointer + t * d, d, eps: eps) }
        return h
    }

    /// Causal attention of one segment's rows against its cache (which already holds their K/V).
    private func attention(layer: Int, segment s: BatchSegment, qkv: UnsafeMutablePointer<Float>, qkvStride: Int, out: UnsafeMutablePointer<Float>) {
        let hd = config.headDim, qd = config.qDim, kvd = config.kvDim
        let group = config.headCount / config.headCountKV
        let p0 = s.cache.count
        let kc = s.cache.keys(layer), vc = s.cache.values(layer)
        let scale = 1 / Float(hd).squareRoot()
        if s.count == 1 {
            // Decode, split-K: each task scores a range of keys for the `group` query heads that share a KV
            // head (so K/V rows are read once per group), and the partial softmaxes are merged exactly.
            let L = p0 + 1
            let q = qkv + s.start * qkvStride
            let o = out + s.start * qd
            let groups = config.headCountKV
            let chunks = L < 128 ? 1 : max(1, min(L / 64, (threads * 4 + groups - 1) / groups))
            let tasks = groups * chunks
            let chunkLen = (L + chunks - 1) / chunks
            let scoreFloats = group * chunkLen, accFloats = group * hd
            let buf = workspace.attention(floats: tasks * (scoreFloats + accFloats + 2 * group))
            let scores = buf, acc = buf + tasks * scoreFloats
            let ms = acc + tasks * accFloats, ls = ms + tasks * group
            let box = UncheckedSendable((q, kc, vc, scores, acc, ms, ls))
            WorkerPool.shared.run(tasks, threads: threads) { t in
                let (q, kc, vc, scores, acc, ms, ls) = box.value
                // Task t = chunk c of KV head g; partials stored chunk-major per group for the merge.
                let g = t / chunks, c = t % chunks
                let j0 = c * chunkLen, j1 = min(L, j0 + chunkLen)
                rk_attend_partial(q + g * group * hd, Int64(group), kc + g * hd, vc + g * hd, Int64(kvd), Int64(hd),
                                  Int64(j0), Int64(j1), scale, scores + t * scoreFloats, acc + t * accFloats,
                                  ms + t * group, ls + t * group)
            }
            for g in 0..<groups {
                let t0 = g * chunks
                rk_attend_merge(Int64(chunks), Int64(group), Int64(hd), acc + t0 * accFloats, ms + t0 * group, ls + t0 * group,
                                o + g * group * hd)
            }
            return
        }
        // Prefill: heads in parallel; query rows in chunks so each chunk only scores the keys it can see.
        let chunk = 128
        let maxL = p0 + s.count
        let workers = min(threads, config.headCount)
        let scoresAll = FloatBuffer(count: workers * min(chunk, s.count) * maxL, zeroed: false)
        let box = UncheckedSendable((qkv, out, kc, vc, scoresAll))
        let nHead = config.headCount
        WorkerPool.shared.run(workers, threads: workers) { w in
            let (qkv, out, kc, vc, scoresAll) = box.value
            let scores = scoresAll.pointer + w * min(chunk, s.count) * maxL
            var hh = w
            while hh < nHead {
                let g = hh / group
                var c0 = 0
                while c0 < s.count {
                    let c1 = min(c0 + chunk, s.count)
                    let M = c1 - c0
                    let L = p0 + c1
                    let q = qkv + (s.start + c0) * qkvStride + hh * hd
                    BLAS.sgemm(transB: true, m: M, n: L, k: hd, alpha: scale,
                               q, lda: qkvStride, kc + g * hd, ldb: kvd, beta: 0, scores, ldc: L)
                    for r in 0..<M {
                        let visible = p0 + c0 + r + 1
                        let row = scores + r * L
                        VectorMath.softmax(row, visible)
                        (row + visible).update(repeating: 0, count: L - visible)
                    }
                    BLAS.sgemm(transB: false, m: M, n: hd, k: L, alpha: 1,
                               scores, lda: L, vc + g * hd, ldb: kvd, beta: 0, out + (s.start + c0) * qd + hh * hd, ldc: qd)
                    c0 = c1
                }
                hh += workers
            }
        }
    }

    /// Split-K decode attention for many single-token segments in one parallel section: the task list is
    /// every segment's (KV head, key chunk) tasks, chunked exactly as `attention` chunks a segment alone,
    /// so each sequence's result is bit-identical to decoding it by itself.
    private func decodeAttention(layer: Int, plan: DecodeAttentionPlan, qkv: UnsafeMutablePointer<Float>, qkvStride: Int,
                                 out: UnsafeMutablePointer<Float>) {
        let hd = config.headDim, qd = config.qDim, kvd = config.kvDim
        let group = config.headCount / config.headCountKV
        let groups = config.headCountKV
        let scale = 1 / Float(hd).squareRoot()
        let accFloats = group * hd
        let buf = workspace.attention(floats: plan.scratchFloats)
        let keys = plan.caches.map { UncheckedSendable(($0.keys(layer), $0.values(layer))) }
        let box = UncheckedSendable((qkv, out, buf, plan, keys))
        WorkerPool.shared.run(plan.taskSegment.count, threads: threads) { t in
            let (qkv, _, buf, plan, keys) = box.value
            let si = plan.taskSegment[t]
            let row = plan.rows[si]
            let local = t - plan.taskStart[si]
            let chunks = plan.chunks[si], chunkLen = plan.chunkLen[si], L = plan.length[si]
            let g = local / chunks, c = local % chunks
            let j0 = c * chunkLen, j1 = min(L, j0 + chunkLen)
            let (kc, vc) = keys[si].value
            let base = buf + plan.scratchStart[si]
            let tasks = groups * chunks, scoreFloats = group * chunkLen
            let scores = base, acc = base + tasks * scoreFloats
            let ms = acc + tasks * accFloats, ls = ms + tasks * group
            rk_attend_partial(qkv + row * qkvStride + g * group * hd, Int64(group), kc + g * hd, vc + g * hd, Int64(kvd),
                              Int64(hd), Int64(j0), Int64(j1), scale, scores + local * scoreFloats, acc + local * accFloats,
                              ms + local * group, ls + local * group)
        }
        parallelRows(plan.rows.count, threads) { si in
            let (_, out, buf, plan, _) = box.value
            let row = plan.rows[si]
            let chunks = plan.chunks[si], chunkLen = plan.chunkLen[si]
            let tasks = groups * chunks
            let base = buf + plan.scratchStart[si]
            let acc = base + tasks * group * chunkLen
            let ms = acc + tasks * accFloats, ls = ms + tasks * group
            for g in 0..<groups {
                let t0 = g * chunks
                rk_attend_merge(Int64(chunks), Int64(group), Int64(hd), acc + t0 * accFloats, ms + t0 * group, ls + t0 * group,
                                out + row * qd + g * group * hd)
            }
        }
    }

    /// logits[rows × vocab] = hidden · outputᵀ.
    func logits(hidden: UnsafePointer<Float>, rows: Int, out: UnsafeMutablePointer<Float>, decodeStep: Bool = false) {
        output!.apply(hidden, rows: rows, out: out, accumulate: false, threads: threads, workspace: workspace,
                     useKernel: decodeStep && !exact, perRow: decodeStep)
    }

    func makeCache(capacity: Int) -> KVCache {
        KVCache(layers: config.layerCount, kvDim: config.kvDim, capacity: capacity)
    }
}

/// How decode-step attention splits into tasks, for query rows that each see their cache's first `length`
/// keys (computed once per forward pass: every layer has the same key counts).
struct DecodeAttentionPlan {
    /// Batch row of each query.
    let rows: [Int]
    let caches: [KVCache]
    let length: [Int]
    let chunks: [Int]
    let chunkLen: [Int]
    let taskStart: [Int]
    let taskSegment: [Int]
    let scratchStart: [Int]
    let scratchFloats: Int

    /// Single-token segments: each one's row attends to its whole cache plus itself.
    init(segments: [BatchSegment], config: ModelConfig, threads: Int) {
        self.init(rows: segments.map { ($0.start, $0.cache, $0.cache.count + 1) }, config: config, threads: threads)
    }

    init(rows queries: [(row: Int, cache: KVCache, length: Int)], config: ModelConfig, threads: Int) {
        let groups = config.headCountKV, group = config.headCount / config.headCountKV
        var length: [Int] = [], chunks: [Int] = [], chunkLen: [Int] = [], taskStart: [Int] = [], taskSegment: [Int] = []
        var scratchStart: [Int] = []
        var scratch = 0
        for (i, q) in queries.enumerated() {
            // Same chunking as `LlamaModel.attention` for one decode step (depends only on the key count).
            let L = q.length
            let c = L < 128 ? 1 : max(1, min(L / 64, (threads * 4 + groups - 1) / groups))
            let cl = (L + c - 1) / c
            length.append(L); chunks.append(c); chunkLen.append(cl)
            taskStart.append(taskSegment.count)
            taskSegment += [Int](repeating: i, count: groups * c)
            scratchStart.append(scratch)
            scratch += groups * c * (group * cl + group * config.headDim + 2 * group)
        }
        self.rows = queries.map(\.row)
        self.caches = queries.map(\.cache)
        self.length = length; self.chunks = chunks; self.chunkLen = chunkLen
        self.taskStart = taskStart; self.taskSegment = taskSegment
        self.scratchStart = scratchStart; self.scratchFloats = scratch
    }
}

/// Runs `body(row)` for rows 0..<n on up to `threads` threads (contiguous chunks per thread).
@inline(__always) func parallelRows(_ n: Int, _ threads: Int, _ body: @escaping (Int) -> Void) {
    let k = min(threads, n)
    if k <= 1 {
        for i in 0..<n { body(i) }
        return
    }
    WorkerPool.shared.run(k, threads: k) { part in
        let lo = n * part / k, hi = n * (part + 1) / k
        for i in lo..<hi { body(i) }
    }
}

struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ v: T) { value = v }
}

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
