import Foundation

/// What one input line means: one response to score, or a preference pair.
public enum Record: Sendable {
    case single(Sample)
    case pair(chosen: Sample, rejected: Sample)
}

/// A line that could not be turned into a record; the message names line and field.
public struct RecordError: Error, Sendable, CustomStringConvertible {
    public var line: Int
    public var field: String?
    public var message: String

    public init(line: Int, field: String? = nil, _ message: String) {
        self.line = line
        self.field = field
        self.message = message
    }

    public var description: String {
        if let field { return "line \(line): field '\(field)': \(message)" }
        return "line \(line): \(message)"
    }
}

/// Reads the record formats users already have, as they are:
/// - generic: `prompt` or `messages`, `response` (or `completion`, or the last assistant
///   message), `reference`/`answer`, `steps`, `group`/`prompt_id`, `id`;
/// - TRL preference and RewardBench: `prompt`, `chosen`, `rejected` (strings or message lists);
/// - HH-RLHF: `chosen`/`rejected` transcripts with `\n\nHuman:`/`\n\nAssistant:` turns,
///   split into the shared prompt and the final assistant response;
/// - ProcessBench: `problem`, `steps`, `label`;
/// - TRL stepwise: `prompt`, `completions`, `labels`.
public enum RecordDecoder {
    /// Keys `decode` reads as answers or identifiers (always built).
    static let keyFields: Set<String> = ["id", "reference", "answer", "group", "prompt_id", "problem"]
    /// Keys `decode` reads as model text or whose presence picks the format.
    static let textFields: Set<String> = ["prompt", "response", "completion", "messages", "chosen", "rejected",
                                          "steps", "completions", "labels"]

    /// The members a line must have built for `decode` and a reward reading `fields` (plus
    /// `extra`); nil when everything must be. When the reward does not read the text, string
    /// text fields are validated but stand in as "": `decode` still sees their types (and gives
    /// the same errors), and nothing reads their content. The same holds for the key fields
    /// (`id`, `reference`, …) when it does not read those either, except `group`/`prompt_id`
    /// with `groups` (the pipeline normalizes by group).
    public static func keyFilter(reading fields: RecordFields?, extra: Set<String> = [], groups: Bool = true) -> JSONKeyFilter? {
        guard let fields else { return nil }
        let build = fields.keys.union(extra)
        if fields.text { return JSONKeyFilter(build: build.union(keyFields).union(textFields)) }
        if fields.recordKeys { return JSONKeyFilter(build: build.union(keyFields), stub: textFields) }
        return JSONKeyFilter(build: groups ? build.union(groupFields) : build, stub: textFields.union(keyFields))
    }

    static let groupFields: Set<String> = ["group", "prompt_id"]

    public static func decode(_ o: JSONObject, line: Int) throws -> Record {
        let m = RecordMembers(o)
        if m.chosen >= 0 || m.rejected >= 0 { return try pair(o, m, line: line) }
        return .single(try single(o, m, line: line))
    }

    /// As `decode`, appending the record's samples (one, or chosen then rejected) to `samples`:
    /// moved in, where taking them out of a `Record` copied each (a retain and a release of every
    /// field). Returns whether the record is a pair.
    static func decode(_ o: JSONObject, line: Int, appendingTo samples: inout [Sample]) throws -> Bool {
        let m = RecordMembers(o)
        guard m.chosen >= 0 || m.rejected >= 0 else {
            samples.append(try single(o, m, line: line))
            return false
        }
        guard case .pair(let c, let r) = try pair(o, m, line: line) else { preconditionFailure("pair() returns a pair") }
        samples.append(c)
        samples.append(r)
        return true
    }

    // Coercion rules (README "Input records"): fields holding model text (`response`,
    // `completion`, `chosen`, `rejected`, `prompt`, message `content`, `steps`) must be JSON
    // strings; a number there is an error, since it is not text a model wrote. Fields holding
    // answers and keys (`reference`, `answer`, `gold`, `pred`, `id`, `group`, `prompt_id`,
    // `problem`) also take a number, read as its JSON text (42 → "42", 0.5 → "0.5"). `null`
    // counts as absent for optional fields; a required field that is null is reported as null.

    /// A model-text field: a string, nil when absent or null, else an error saying what was found.
    static func text(_ v: JSONValue?, _ key: String, line: Int) throws -> String? {
        guard let v, !v.isNull else { return nil }
        guard case .string(let s) = v else { throw RecordError(line: line, field: key, "must be a string, got \(v.foundDescription)") }
        return s
    }

    /// An answer or key field: a string or a number (as its JSON text).
    public static func answerText(_ o: JSONObject, _ key: String, line: Int, required: Bool = false) throws -> String? {
        try answerText(o[key], key, line: line, required: required)
    }

    /// `answerText` of the member value `found` (nil: no such member).
    public static func answerText(_ found: JSONValue?, _ key: String, line: Int, required: Bool = false) throws -> String? {
        guard let v = found, !v.isNull else {
            guard required else { return nil }
            throw RecordError(line: line, field: key, found == nil ? "missing" : "is null (expected a string or a number)")
        }
        switch v {
        case .string(let s): return s
        case .number: return v.jsonString
        default: throw RecordError(line: line, field: key, "must be a string or a number, got \(v.foundDescription)")
        }
    }

    static func messages(_ v: JSONValue, field: String, line: Int) throws -> [ChatMessage] {
        guard case .array(let a) = v else { throw RecordError(line: line, field: field, "must be a list of messages, got \(v.typeName)") }
        return try a.enumerated().map { i, m in
            guard case .object(let mo) = m else { throw RecordError(line: line, field: "\(field)[\(i)]", "must be an object with 'role' and 'content'") }
            guard let role = mo.value(recordKey: "role")?.stringValue else { throw RecordError(line: line, field: "\(field)[\(i)].role", "missing or not a string") }
            guard let content = mo.value(recordKey: "content")?.stringValue else { throw RecordError(line: line, field: "\(field)[\(i)].content", "missing or not a string") }
            return ChatMessage(role: role, content: content)
        }
    }

    static func prompt(_ v: JSONValue?, key: String, line: Int) throws -> Prompt? {
        guard let v, !v.isNull else { return nil }
        switch v {
        case .string(let s): return .text(s)
        case .array: return .messages(try messages(v, field: key, line: line))
        default: throw RecordError(line: line, field: key, "must be a string or a list of messages, got \(v.foundDescription)")
        }
    }

    static func stringList(_ v: JSONValue?, _ key: String, line: Int) throws -> [String]? {
        guard let v, !v.isNull else { return nil }
        guard case .array(let a) = v else { throw RecordError(line: line, field: key, "must be a list of strings, got \(v.typeName)") }
        return try a.enumerated().map { i, x in
            guard case .string(let s) = x else { throw RecordError(line: line, field: "\(key)[\(i)]", "must be a string, got \(x.foundDescription)") }
            return s
        }
    }

    static func common(_ m: RecordMembers, line: Int) throws -> (id: String?, reference: String?, group: String?) {
        let id = try answerText(m[m.id], "id", line: line)
        let reference = try answerText(m[m.reference], "reference", line: line) ?? answerText(m[m.answer], "answer", line: line)
        let group = try answerText(m[m.group], "group", line: line) ?? answerText(m[m.promptID], "prompt_id", line: line)
        return (id, reference, group)
    }

    static func single(_ o: JSONObject, _ m: RecordMembers, line: Int) throws -> Sample {
        let (id, reference, group) = try common(m, line: line)
        // ProcessBench: problem + steps.
        if let problem = try answerText(m[m.problem], "problem", line: line), m.steps >= 0 {
            let steps = try stringList(m[m.steps], "steps", line: line) ?? []
            return Sample(id: id, prompt: .text(problem), response: steps.joined(separator: "\n\n"), reference: reference,
                          steps: steps, group: group, fields: o)
        }
        // TRL stepwise: prompt + completions (steps) + labels.
        if m.completions >= 0, m.labels >= 0 {
            let steps = try stringList(m[m.completions], "completions", line: line) ?? []
            let p = try prompt(m[m.prompt], key: "prompt", line: line) ?? .text("")
            return Sample(id: id, prompt: p, response: steps.joined(separator: "\n\n"), reference: reference,
                          steps: steps, group: group, fields: o)
        }
        var p = try prompt(m[m.prompt], key: "prompt", line: line)
        var response = try text(m[m.response], "response", line: line) ?? text(m[m.completion], "completion", line: line)
        if response == nil, let mv = m[m.messages], !mv.isNull {
            var msgs = try messages(mv, field: "messages", line: line)
            guard let last = msgs.last, last.role == "assistant" else {
                throw RecordError(line: line, field: "messages", "last message must be the assistant response to score")
            }
            msgs.removeLast()
            response = last.content
            if p == nil { p = .messages(msgs) }
        } else if p == nil, let mv = m[m.messages], !mv.isNull {
            p = .messages(try messages(mv, field: "messages", line: line))
        }
        guard let response else {
            let found = m.response >= 0 ? "is null" : (m.completion >= 0 ? "missing ('completion' is null)" : "missing")
            throw RecordError(line: line, field: "response", "\(found) (expected a string in 'response' or 'completion', or 'messages' ending with an assistant turn)")
        }
        let steps = try stringList(m[m.steps], "steps", line: line)
        return Sample(id: id, prompt: p ?? .text(""), response: response, reference: reference, steps: steps, group: group, fields: o)
    }

    static func pair(_ o: JSONObject, _ m: RecordMembers, line: Int) throws -> Record {
        guard let cv = m[m.chosen], !cv.isNull else { throw RecordError(line: line, field: "chosen", "missing") }
        guard let rv = m[m.rejected], !rv.isNull else { throw RecordError(line: line, field: "rejected", "missing") }
        let (id, reference, group) = try common(m, line: line)
        var p = try prompt(m[m.prompt], key: "prompt", line: line)
        func side(_ v: JSONValue, _ key: String) throws -> String {
            switch v {
            case .string(let s):
                if p == nil, let split = HHTranscript.split(s) {
                    p = .text(split.prompt)
                    return split.response
                }
                if let split = HHTranscript.split(s), case .text(let pt) = p!, pt == split.prompt { return split.response }
                return s
            case .array:
                var msgs = try messages(v, field: key, line: line)
                guard let last = msgs.last, last.role == "assistant" else {
                    throw RecordError(line: line, field: key, "last message must be the assistant response")
                }
                msgs.removeLast()
                if p == nil { p = .messages(msgs) }
                return last.content
            default:
                throw RecordError(line: line, field: key, "must be a string or a list of messages, got \(v.foundDescription)")
            }
        }
        let c = try side(cv, "chosen")
        let r = try side(rv, "rejected")
        let prompt = p ?? .text("")
        return .pair(chosen: Sample(id: id, prompt: prompt, response: c, reference: reference, group: group, fields: o),
                     rejected: Sample(id: id, prompt: prompt, response: r, reference: reference, group: group, fields: o))
    }
}

/// Anthropic HH-RLHF transcripts: "\n\nHuman: … \n\nAssistant: …" turns.
public enum HHTranscript {
    static let assistantMarker = "\n\nAssistant:"

    /// Prompt = everything up to and including the last "\n\nAssistant:"; response = the rest, trimmed.
    public static func split(_ transcript: String) -> (prompt: String, response: String)? {
        guard let r = transcript.range(of: assistantMarker, options: .backwards),
              transcript.contains("Human:") else { return nil }
        let prompt = String(transcript[..<r.upperBound])
        let response = String(transcript[r.upperBound...]).trimmed
        return (prompt, response)
    }
}
