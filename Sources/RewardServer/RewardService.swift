import Foundation
import Hummingbird
import Logging
import RewardCore

/// The request handlers: specs, limits, batching and metrics, independent of the HTTP
/// framework's wiring (which lives in `RewardServer`).
final class RewardService: Sendable {
    let options: ServerOptions
    let specs: [String: ServedSpec]
    let order: [String]
    let batchers: [String: ModelBatcher]
    let metrics: ServerMetrics
    let gate: ConcurrencyGate
    /// Slice work still running after its request was answered (see `DeadlineRunner`).
    let background = BackgroundWork()
    let started = ContinuousClock.now

    init(specs: [ServedSpec], options: ServerOptions) {
        self.options = options
        self.order = specs.map(\.name)
        self.specs = Dictionary(specs.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let gate = ConcurrencyGate(limit: options.maxInFlight)
        self.gate = gate
        let metrics = ServerMetrics(inFlight: { gate.inFlight })
        self.metrics = metrics
        var b: [String: ModelBatcher] = [:]
        if options.batching {
            for s in specs where s.usesModel {
                b[s.name] = ModelBatcher(reward: s.reward, maxBatch: options.maxBatch, maxWait: options.maxBatchWait, metrics: metrics)
            }
        }
        self.batchers = b
    }

    // MARK: spec selection

    /// Path parameter, then `?spec=`, then the body's `spec` field, else the first spec.
    func spec(named name: String?) throws -> ServedSpec {
        guard let name else { return specs[order[0]]! }
        guard let s = specs[name] else {
            throw APIError(.notFound, "unknown spec '\(name)' (loaded: \(order.joined(separator: ", ")))")
        }
        return s
    }

    /// The reward to call for a spec: through its batcher when it has one.
    func reward(for spec: ServedSpec) -> any RewardFunction {
        if let b = batchers[spec.name] { return BatchedReward(batcher: b) }
        return spec.reward
    }

    // MARK: request plumbing

    func deadline() -> ContinuousClock.Instant { ContinuousClock.now.advanced(by: options.deadline) }

    /// Reads the body with the size limit (413 before buffering when Content-Length says so)
    /// and the request deadline (a body trickling in past it gets 408).
    func readBody(_ request: Request, deadline: ContinuousClock.Instant) async throws -> [UInt8] {
        let limit = options.maxBodyBytes
        let length = request.headers[.contentLength].flatMap { Int($0) }
        if let cl = length, cl > limit {
            metrics.rejected("body_too_large")
            throw APIError(.contentTooLarge, "request body of \(cl) bytes exceeds the limit of \(limit) bytes")
        }
        var out: [UInt8] = []
        // One allocation for an announced body (≤ limit, checked above), not one per doubling.
        if let cl = length { out.reserveCapacity(cl) }
        for try await chunk in request.body {
            if out.count + chunk.readableBytes > limit {
                metrics.rejected("body_too_large")
                throw APIError(.contentTooLarge, "request body exceeds the limit of \(limit) bytes")
            }
            out.append(contentsOf: chunk.readableBytesView)
            if ContinuousClock.now > deadline {
                metrics.rejected("body_timeout")
                throw APIError(.requestTimeout, "request body not received within the deadline (\(options.deadline))")
            }
        }
        return out
    }

    func parseJSON(_ body: [UInt8]) throws -> JSONValue {
        guard !body.isEmpty else { throw APIError(.badRequest, "empty body: expected JSON", extra: [JSONMember("position", 0)]) }
        do { return try JSONParser.parse(bytes: body) } catch let e as JSONParseError {
            metrics.rejected("malformed_json")
            throw APIError(.badRequest, e.description, extra: [JSONMember("position", .number(Double(e.offset)))])
        }
    }

    /// Admission: refuses at once when `maxInFlight` scoring requests are running.
    func admit() throws {
        guard gate.tryEnter() else {
            metrics.rejected("overloaded")
            throw APIError(.serviceUnavailable, "server busy: \(gate.limit) requests in flight; retry later",
                           headers: [.retryAfter: String(options.retryAfterSeconds)])
        }
    }

    func slices<T>(_ items: [T]) -> [ArraySlice<T>] {
        let n = max(1, options.sliceRecords)
        return stride(from: 0, to: items.count, by: n).map { items[$0..<min($0 + n, items.count)] }
    }

    // MARK: POST /get_reward (OpenRLHF)

    func getReward(_ request: Request, specName: String?) async throws -> Response {
        let deadline = deadline()
        try admit()
        defer { gate.leave() }
        let body = try await readBody(request, deadline: deadline)
        let json = try parseJSON(body)
        let spec = try self.spec(named: specName ?? request.uri.queryParameters.get("spec"))
        let req = try OpenRLHFRequest.decode(json, maxRecords: options.maxRecords)
        let (samples, matched) = req.samples()
        if spec.inlineSafe, samples.count <= options.inlineRecords, body.count <= options.inlineBodyBytes {
            // Small rule-only request: synchronous, bounded work; see ServerOptions.inlineRecords.
            let results = try await spec.reward.score(samples, context: .empty)
            return JSONResponse.bytes(openRLHFBody(results, matched: matched, spec: spec))
        }
        let reward = self.reward(for: spec)
        let outcome = await DeadlineRunner.run(slices(samples), until: deadline, background: background) { slice in
            try await reward.score(Array(slice), context: .empty)
        }
        switch outcome {
        case .finished(let results):
            return JSONResponse.bytes(openRLHFBody(results, matched: matched, spec: spec))
        case .timedOut(let done):
            metrics.rejected("deadline")
            throw APIError(.gatewayTimeout, "deadline of \(options.deadline) exceeded after \(done.count) of \(samples.count) queries",
                           extra: [JSONMember("done", .number(Double(done.count))), JSONMember("total", .number(Double(samples.count))),
                                   JSONMember("rewards", .array(done.map { .number($0.error == nil ? $0.reward : 0) }))])
        case .failed(let error):
            throw APIError(.internalServerError, "scoring failed: \(error)")
        }
    }

    /// `rewards` and `scores` (the same list: OpenRLHF reads either as `score_key`), and
    /// `extra_logs` with one list per component, `prompt_not_found` and `scoring_error`.
    func openRLHFBody(_ results: [RewardResult], matched: [Bool], spec: ServedSpec) -> [UInt8] {
        var errors = 0
        var w = JSONWriter(capacity: 64 + results.count * 48)
        w.append("{\"rewards\":[")
        for (i, r) in results.enumerated() {
            if i > 0 { w.append(",") }
            if r.error != nil { errors += 1 }
            w.write(number: r.error == nil ? r.reward : 0)
        }
        w.append("],\"scores\":[")
        for (i, r) in results.enumerated() {
            if i > 0 { w.append(",") }
            w.write(number: r.error == nil ? r.reward : 0)
        }
        w.append("],\"extra_logs\":{")
        var first = true
        if spec.components.count > 1 {
            for c in spec.components {
                if !first { w.append(",") }
                first = false
                w.write(string: c.name)
                w.append(":[")
                for (i, r) in results.enumerated() {
                    if i > 0 { w.append(",") }
                    w.write(number: r.component(c.name) ?? 0)
                }
                w.append("]")
            }
        }
        if !first { w.append(",") }
        w.append("\"prompt_not_found\":[")
        for (i, m) in matched.enumerated() { if i > 0 { w.append(",") }; w.append(m ? "0" : "1") }
        w.append("],\"scoring_error\":[")
        for (i, r) in results.enumerated() { if i > 0 { w.append(",") }; w.append(r.error == nil ? "0" : "1") }
        w.append("]}}")
        metrics.records(spec: spec.name, scored: results.count - errors, errors: errors)
        return w.bytes
    }

    // MARK: POST /v1/score (native)

    func score(_ request: Request, specName: String?) async throws -> Response {
        let deadline = deadline()
        try admit()
        defer { gate.leave() }
        let body = try await readBody(request, deadline: deadline)
        let json = try parseJSON(body)
        var records: [JSONValue]
        var name = specName ?? request.uri.queryParameters.get("spec")
        var normalize: Bool?
        var diagnostics = false
        switch json {
        case .array(let a): records = a
        case .object(let o) where o.contains("records"):
            guard case .array(let a) = o["records"]! else { throw APIError(.badRequest, "field 'records': must be a list of records") }
            records = a
            if let s = o["spec"] {
                guard case .string(let n) = s else { throw APIError(.badRequest, "field 'spec': must be a string") }
                name = name ?? n
            }
            if let g = o["group_normalize"], !g.isNull {
                guard case .bool(let b) = g else { throw APIError(.badRequest, "field 'group_normalize': must be true or false") }
                normalize = b
            }
            if let d = o["diagnostics"], case .bool(let b) = d { diagnostics = b }
        case .object: records = [json]
        default: throw APIError(.badRequest, "body must be a record, a list of records, or {\"records\": [...]}, got \(json.typeName)")
        }
        guard records.count <= options.maxRecords else {
            throw APIError(.contentTooLarge, "\(records.count) records exceed the limit of \(options.maxRecords) per request")
        }
        let spec = try self.spec(named: name)
        var pipeline = ScoringPipeline(reward: reward(for: spec))
        pipeline.includeDiagnostics = diagnostics
        let gn: GroupNormalization? = normalize == false ? nil : (normalize == true ? spec.groupNormalization ?? GroupNormalization() : spec.groupNormalization)
        // Group normalization needs every record, so it runs as one slice.
        if gn != nil { pipeline.groupNormalization = gn }
        let texts: [[UInt8]] = records.map { r in
            var w = JSONWriter(capacity: 256)
            w.write(r)
            return w.bytes
        }
        if spec.inlineSafe, texts.count <= options.inlineRecords, body.count <= options.inlineBodyBytes {
            let results = try await pipeline.score(records: texts)
            return JSONResponse.bytes(nativeBody(results, spec: spec))
        }
        let parts = gn != nil ? [texts[...]] : slices(texts)
        let p = pipeline
        let outcome = await DeadlineRunner.run(parts, until: deadline, background: background) { (slice: ArraySlice<[UInt8]>) -> [ScoredRecord] in
            var out = try await p.score(records: Array(slice))
            // Record numbers are positions in the whole request, not in the slice.
            if slice.startIndex > 0 {
                for i in out.indices { if let e = out[i].error { out[i] = Self.renumber(out[i], error: e, offset: slice.startIndex, local: i + 1) } }
            }
            return out
        }
        switch outcome {
        case .finished(let results):
            return JSONResponse.bytes(nativeBody(results, spec: spec))
        case .timedOut(let done):
            metrics.rejected("deadline")
            let results: [JSONValue] = done.map { JSONValue.object(JSONObject($0.fields)) }
            throw APIError(.gatewayTimeout, "deadline of \(options.deadline) exceeded after \(done.count) of \(records.count) records",
                           extra: [JSONMember("spec", .string(spec.name)), JSONMember("done", .number(Double(done.count))),
                                   JSONMember("total", .number(Double(records.count))),
                                   JSONMember("results", .array(results))])
        case .failed(let error):
            throw APIError(.internalServerError, "scoring failed: \(error)")
        }
    }

    static func renumber(_ r: ScoredRecord, error: String, offset: Int, local: Int) -> ScoredRecord {
        let old = "line \(local):", new = "line \(local + offset):"
        guard error.hasPrefix(old) else { return r }
        let fixed = new + error.dropFirst(old.count)
        var out = r
        out.error = fixed
        out.fields = r.fields.map { $0.key == "error" ? JSONMember("error", .string(fixed)) : $0 }
        return out
    }

    func nativeBody(_ results: [ScoredRecord], spec: ServedSpec) -> [UInt8] {
        var w = JSONWriter(capacity: 64 + results.count * 96)
        let errors = results.filter { $0.error != nil }.count
        w.append("{\"spec\":")
        w.write(string: spec.name)
        w.append(",\"count\":")
        w.write(number: Double(results.count))
        w.append(",\"errors\":")
        w.write(number: Double(errors))
        w.append(",\"results\":[")
        for (i, r) in results.enumerated() {
            if i > 0 { w.append(",") }
            w.write(.object(JSONObject(r.fields)))
        }
        w.append("]}")
        metrics.records(spec: spec.name, scored: results.count - errors, errors: errors)
        return w.bytes
    }

    // MARK: GET routes

    var specsJSON: JSONValue {
        .object(["specs": .array(order.map { n in
            let s = specs[n]!
            return .object(["name": .string(s.name), "path": .string(s.path), "uses_model": .bool(s.usesModel),
                             "batched": .bool(batchers[n] != nil),
                             "group_normalize": .bool(s.groupNormalization != nil),
                             "components": .array(s.components.map { .object(["name": .string($0.name), "type": .string($0.type)]) })])
        })])
    }
}
