import Foundation
import RewardEngine

/// `/v1/chat/completions` for `OpenAIGenerator` (served chat models whose template only the server knows).
///
/// The `Generator` contract is text in, text out: a job's context is the prompt + the steps so far. On the
/// chat endpoint the context is a ChatML rendering (what `renderPrompt` returns in chat mode) that is read
/// back into messages: the turns before the open assistant turn become `messages`, the text after it (the
/// steps so far) becomes a final assistant message that the server must *continue*, not close. vLLM and
/// SGLang do that with `continue_final_message: true, add_generation_prompt: false`. llama-cpp-python's
/// `llama_cpp.server` (0.3.x) has neither field (it ignores unknown fields, closes the assistant message and
/// opens a new turn), so with it use `ChatContinuation.none`: a job with steps so far then gets a clear
/// error, and step search there belongs on `/v1/completions`, which is exact.
public enum ChatContinuation: String, Sendable, CaseIterable {
    /// Send `continue_final_message` / `add_generation_prompt: false` (vLLM, SGLang).
    case finalMessage = "final_message"
    /// The server cannot continue an assistant message: jobs with an assistant prefix fail.
    case none
}

extension OpenAIGenerator {
    /// The ChatML encoding of chat-mode contexts (parsed back by `chatMessages`); the server applies the
    /// model's real template to the messages.
    static let chatEncoding = ChatTemplate.chatML(defaultSystem: nil)

    /// Messages and the open assistant turn's text of a chat-mode context. A context without ChatML
    /// markers is one user message. nil when the markers are malformed.
    static func chatMessages(_ context: String) -> (messages: [ChatMessage], assistantPrefix: String)? {
        let open = "<|im_start|>", close = "<|im_end|>\n"
        guard context.hasPrefix(open) else { return ([.user(context)], "") }
        var messages: [ChatMessage] = []
        var rest = Substring(context)
        while rest.hasPrefix(open) {
            rest = rest.dropFirst(open.count)
            guard let nl = rest.firstIndex(of: "\n") else { return nil }
            let role = String(rest[..<nl])
            rest = rest[rest.index(after: nl)...]
            guard let end = rest.range(of: close) else {
                // The open turn: only the assistant's, and nothing may follow it.
                guard role == "assistant", !rest.contains(open) else { return nil }
                return (messages, String(rest))
            }
            messages.append(ChatMessage(role: role, content: String(rest[..<end.lowerBound])))
            rest = rest[end.upperBound...]
        }
        return rest.isEmpty ? (messages, "") : nil
    }

    /// The JSON body of a chat request for one sample, or a message saying why the job cannot run.
    func chatBody(_ job: GenerationJob) -> Result<[String: Any], RequestFailure> {
        guard let parsed = Self.chatMessages(job.context) else {
            return .failure(.rejected("chat endpoint: context is not a ChatML conversation (use the generator's renderPrompt)"))
        }
        let (messages, prefix) = parsed
        var body: [String: Any] = ["messages": messages.map { ["role": $0.role, "content": $0.content] }]
        if !prefix.isEmpty {
            guard chatContinuation == .finalMessage else {
                return .failure(.rejected("chat endpoint: this server cannot continue an assistant message (steps so far); use /v1/completions or a server with continue_final_message"))
            }
            body["messages"] = (body["messages"] as! [[String: String]]) + [["role": "assistant", "content": prefix]]
            body["continue_final_message"] = true
            body["add_generation_prompt"] = false
        }
        // llama_cpp.server returns chat logprobs only when top_logprobs is set.
        if job.wantLogprobs { body["logprobs"] = true; body["top_logprobs"] = 1 }
        return .success(body)
    }

    /// Reads `choices[0].message.content` and `usage` of a chat response.
    static func parseChat(_ data: Data, stops: [String]) -> Result<Choice, RequestFailure> {
        guard let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let choices = obj["choices"] as? [[String: Any]], var c = choices.first,
              let message = c["message"] as? [String: Any]
        else { return .failure(.rejected("unexpected response: \(snippet(data))")) }
        // Same shape as a completions choice from here on (text, finish_reason, stop_reason, logprobs).
        c["text"] = (message["content"] as? String) ?? ""
        if let lp = c["logprobs"] as? [String: Any], let content = lp["content"] as? [[String: Any]] {
            c["logprobs"] = ["token_logprobs": content.compactMap { $0["logprob"] }]
        }
        var o = obj
        o["choices"] = [c]
        guard let d = try? JSONSerialization.data(withJSONObject: o) else { return .failure(.rejected("unexpected response: \(snippet(data))")) }
        return parse(d, stops: stops)
    }
}
