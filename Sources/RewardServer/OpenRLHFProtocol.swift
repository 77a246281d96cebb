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

    /// Removes trailing end tokens (and the whitespace after them); text without one is untouched.
    static func stripEndTokens(_ s: String) -> String {
        var out = Substring(s)
        while true {
            var t = out
            while let l = t.last, l.isNewline || l == " " { t.removeLast() }
            guard let token = endTokens.first(where: { t.hasSuffix($0) }) else { break }
            t.removeLast(token.count)
            out = t
        }
        return String(out)
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
