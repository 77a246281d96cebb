import RewardCore

/// OpenRLHF's remote reward-model protocol (`--remote_rm_url`): the trainer POSTs
/// `{"query": [...], "prompts": [...], "labels": [...]}` and reads `rewards` (or `scores`,
/// its `score_key`) plus `extra_logs`. `query` is prompt + response decoded as one string;
/// `prompts` and `labels` are absent in older clients; labels may hold nulls.
struct OpenRLHFRequest: Sendable {
    var queries: [String]
    var prompts: [String]?
    var labels: [String?]?

    static func decode(_ v: JSONValue, maxRecords: Int) throws -> OpenRLHFRequest {
        guard case .object(let o) = v else { throw APIError(.badRequest, "body must be a JSON object with 'query', got \(v.typeName)") }
        let queries: [String]
        switch o["query"] {
        case .string(let s)?: queries = [s]
        case .array(let a)?:
            queries = try a.enumerated().map { i, q in
                guard case .string(let s) = q else { throw APIError(.badRequest, "field 'query[\(i)]': must be a string, got \(q.typeName)") }
                return s
            }
        case let other?: throw APIError(.badRequest, "field 'query': must be a list of strings, got \(other.typeName)")
        case nil: throw APIError(.badRequest, "field 'query': missing")
        }
        guard queries.count <= maxRecords else {
            throw APIError(.contentTooLarge, "field 'query': \(queries.count) queries exceed the limit of \(maxRecords) per request")
        }
        var r = OpenRLHFRequest(queries: queries)
        if let p = o["prompts"], !p.isNull {
            guard case .array(let a) = p else { throw APIError(.badRequest, "field 'prompts': must be a list of strings, got \(p.typeName)") }
            guard a.count == queries.count else { throw APIError(.badRequest, "field 'prompts': \(a.count) prompts for \(queries.count) queries") }
            r.prompts = try a.enumerated().map { i, q in
                guard case .string(let s) = q else { throw APIError(.badRequest, "field 'prompts[\(i)]': must be a string, got \(q.typeName)") }
                return s
            }
        }
        if let l = o["labels"], !l.isNull {
            guard case .array(let a) = l else { throw APIError(.badRequest, "field 'labels': must be a list, got \(l.typeName)") }
            guard a.count == queries.count else { throw APIError(.badRequest, "field 'labels': \(a.count) labels for \(queries.count) queries") }
            r.labels = try a.enumerated().map { i, x in
                switch x {
                case .null: return nil
                case .string(let s): return s
                case .number: return x.jsonString
                default: throw APIError(.badRequest, "field 'labels[\(i)]': must be a string, number or null, got \(x.typeName)")
                }
            }
        }
        return r
    }

    /// The samples to score, and for each whether its query started with its prompt.
    func samples() -> (samples: [Sample], prefixMatched: [Bool]) {
        var out: [Sample] = []
        var matched: [Bool] = []
        out.reserveCapacity(queries.count)
        for (i, q) in queries.enumerated() {
            let prompt = prompts?[i] ?? ""
            let (response, ok) = PromptSplit.response(query: q, prompt: prompt)
            let label = labels?[i] ?? nil
            var fields = JSONObject()
            fields["prompt"] = .string(prompt)
            fields["response"] = .string(response)
            if let label { fields["reference"] = .string(label) }
            out.append(Sample(prompt: .text(prompt), response: response, reference: label, fields: fields))
            matched.append(ok)
        }
        return (out, matched)
    }
}

/// Splits OpenRLHF's `query` (prompt + response in one string) into the response.
/// 1. the query starts with the prompt (byte for byte): the response is the rest;
/// 2. else the prompt occurs later in the query (a BOS or other special token was
///    decoded in front of it): the response is what follows its first occurrence;
/// 3. else (no prompt, or the prompt is not in the query): the whole query is scored as
///    the response, and `extra_logs.prompt_not_found` marks the sample with 1.
/// End-of-sequence tokens the trainer decoded at the end (`<|im_end|>`, `<|endoftext|>`,
/// `<|eot_id|>`, `</s>`, …) are then removed, so format checks see the response as generated.
enum PromptSplit {
    static let endTokens = ["<|im_end|>", "<|endoftext|>", "<|eot_id|>", "<|end_of_text|>", "</s>", "<｜end▁of▁sentence｜>", "<end_of_turn>", "<eos>"]

    static func response(query: String, prompt: String) -> (response: String, matched: Bool) {
        let (r, m) = split(query: query, prompt: prompt)
        return (stripEndTokens(r), m)
    }

    static let endTokenBytes: [[UInt8]] = endTokens.map { Array($0.utf8) }

    /// Removes trailing end tokens (and the whitespace after them); text without one is untouched.
    /// Compares UTF-8 bytes, not Characters: this runs on every query, and Character-wise suffix
    /// tests were most of the protocol decoding's cost for a 1-record request.
    static func stripEndTokens(_ s: String) -> String {
        let cut = s.utf8.withContiguousStorageIfAvailable { endOfContent($0) } ?? endOfContent(Array(s.utf8)[...])
        guard let end = cut else { return s }
        return s.utf8Slice(0..<end)
    }

    /// Byte length of `b` without its trailing end tokens (and the whitespace after each), or
    /// nil when there is no trailing end token.
    static func endOfContent<B: RandomAccessCollection<UInt8>>(_ b: B) -> Int? where B.Index == Int {
        var end = b.count
        var stripped = false
        while true {
            var t = end
            // Spaces and line breaks: ASCII \n \v \f \r and space, U+0085, U+2028, U+2029.
            while t > 0 {
                let c = b[t - 1]
                if c == 0x20 || (0x0A...0x0D).contains(c) { t -= 1; continue }
                if t >= 2, b[t - 2] == 0xC2, c == 0x85 { t -= 2; continue }
                if t >= 3, b[t - 3] == 0xE2, b[t - 2] == 0x80, c == 0xA8 || c == 0xA9 { t -= 3; continue }
                break
            }
            guard let token = endTokenBytes.first(where: { tok in
                tok.count <= t && b[(t - tok.count)..<t].elementsEqual(tok)
            }) else { break }
            end = t - token.count
            stripped = true
        }
        return stripped ? end : nil
    }

    static func split(query: String, prompt: String) -> (response: String, matched: Bool) {
        guard !prompt.isEmpty else { return (query, false) }
        if query.utf8.starts(with: prompt.utf8) {
            return (query.utf8Slice(prompt.utf8.count..<query.utf8.count), true)
        }
        if let r = query.utf8Range(of: prompt) { return (query.utf8Slice(r.upperBound..<query.utf8.count), true) }
        return (query, false)
    }
}
