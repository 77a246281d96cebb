import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import RewardEngine
@testable import RewardSearch
import TestSupport

/// Against a real llama-cpp-python server (`LlamaServer` in TestSupport).
@Suite(.serialized, .enabled(if: LlamaServer.available)) struct OpenAIGeneratorTests {
    @Test func realServerCompletionsStopsSeedsErrorsAndRetries() async throws {
        let m = try SearchTestModel.get()
        let prompt = m.renderChat([.user("What is 7 + 5? Answer in one short sentence.")], addGenerationPrompt: true)
        try await LlamaServer.with(model: try ModelStore.resolve(ModelStore.defaultModel)) { base in
            let gen = OpenAIGenerator(baseURL: base, model: "smollm2", template: m.chatTemplate, maxConcurrency: 4, timeout: 60)
            #expect(gen.renderPrompt(system: nil, user: "What is 7 + 5? Answer in one short sentence.") == prompt)
            // Greedy, a stop string, seeds, logprobs; plus one job the server must reject (longer than n_ctx).
            let tooLong = String(repeating: "apple ", count: 3000)
            let jobs = [
                GenerationJob(context: prompt, stop: ["\n\n"], maxTokens: 24, temperature: 0, seeds: [0], wantLogprobs: true),
                GenerationJob(context: prompt, stop: [" "], maxTokens: 24, temperature: 0.9, seeds: [1, 2, 3]),
                GenerationJob(context: tooLong, stop: [], maxTokens: 4, temperature: 0, seeds: [0]),
                GenerationJob(context: prompt, stop: [], maxTokens: 5, temperature: 0, seeds: [0]),
            ]
            let out = try await gen.generate(jobs)
            #expect(out[0].error == nil && out[0].samples.count == 1)
            #expect(!out[0].samples[0].text.isEmpty)
            #expect(out[0].contextTokens == m.tokenize(prompt, parseSpecial: true).count)
            #expect(out[0].samples[0].meanLogprob.map { $0 < 0 } == true)
            // Stop string " " is included in the returned text, as the local engine does.
            #expect(out[1].samples.count == 3)
            #expect(out[1].samples.allSatisfy { $0.finish == .stop && $0.text.hasSuffix(" ") && $0.text.dropLast().contains(" ") == false })
            #expect(out[2].error != nil && out[2].samples.isEmpty)
            #expect(out[3].samples[0].finish == .length && out[3].samples[0].completionTokens == 5)
            // Same seeds, same samples.
            let again = try await gen.generate([jobs[1]])
            #expect(again[0].samples == out[1].samples)
            // The server runs the same GGUF as the embedded engine: greedy text agrees.
            let local = try await LocalGenerator(model: m).generate([jobs[3]])
            #expect(local[0].samples.map(\.text) == out[3].samples.map(\.text))
        }
    }

    @Test func realServerChatCompletions() async throws {
        let m = try SearchTestModel.get()
        let question = "What is 7 + 5? Answer in one short sentence."
        try await LlamaServer.with(model: try ModelStore.resolve(ModelStore.defaultModel)) { base in
            let chat = OpenAIGenerator(baseURL: base, model: "smollm2", endpoint: .chat, chatContinuation: .none, maxConcurrency: 4, timeout: 60)
            let plain = OpenAIGenerator(baseURL: base, model: "smollm2", template: m.chatTemplate, maxConcurrency: 4, timeout: 60)
            // Chat mode renders the ChatML encoding it reads back, whatever the served template is.
            let ctx = try #require(chat.renderPrompt(system: nil, user: question))
            #expect(ctx == "<|im_start|>user\n\(question)<|im_end|>\n<|im_start|>assistant\n")
            let jobs = [
                GenerationJob(context: ctx, stop: [], maxTokens: 12, temperature: 0, seeds: [0], wantLogprobs: true),
                GenerationJob(context: ctx, stop: [" "], maxTokens: 24, temperature: 0.9, seeds: [1, 2]),
                // Steps so far: this server cannot continue an assistant message, so the job fails alone.
                GenerationJob(context: ctx + "7 + 5 = 12.\n\n", stop: [], maxTokens: 4, temperature: 0, seeds: [0]),
            ]
            let out = try await chat.generate(jobs)
            // The server applied the GGUF's own template (SmolLM2's default system turn included): greedy
            // chat output == greedy completions output on the locally rendered prompt, token counts too.
            let prompt = m.renderChat([.user(question)], addGenerationPrompt: true)
            let ref = try await plain.generate([GenerationJob(context: prompt, stop: [], maxTokens: 12, temperature: 0, seeds: [0])])
            #expect(out[0].error == nil)
            #expect(out[0].samples.map(\.text) == ref[0].samples.map(\.text))
            #expect(out[0].samples[0].completionTokens == ref[0].samples[0].completionTokens)
            #expect(out[0].contextTokens == m.tokenize(prompt, parseSpecial: true).count)
            #expect(out[0].samples[0].meanLogprob.map { $0 < 0 } == true)
            #expect(out[1].samples.count == 2)
            #expect(out[1].samples.allSatisfy { $0.finish == .stop && $0.text.hasSuffix(" ") && !$0.text.dropLast().contains(" ") })
            #expect(out[2].samples.isEmpty && out[2].error?.contains("cannot continue an assistant message") == true)
        }
    }

    @Test func chatContextsParseBackToMessages() {
        let enc = OpenAIGenerator.chatEncoding
        let ctx = enc.render([.system("Be brief."), .user("2+2?")], addGenerationPrompt: true)
        let p = OpenAIGenerator.chatMessages(ctx + "Step 1: 2+2=4.\n\n")
        #expect(p?.messages == [.system("Be brief."), .user("2+2?")])
        #expect(p?.assistantPrefix == "Step 1: 2+2=4.\n\n")
        #expect(OpenAIGenerator.chatMessages(ctx)?.assistantPrefix == "")
        // A raw question is one user turn; a malformed rendering is refused.
        #expect(OpenAIGenerator.chatMessages("2+2?")?.messages == [.user("2+2?")])
        #expect(OpenAIGenerator.chatMessages("<|im_start|>user\nhi") == nil)
        #expect(OpenAIGenerator.chatMessages(ctx + "a<|im_start|>user\nb") == nil)
        // With steps so far, the request continues the final assistant message (vLLM / SGLang fields).
        let g = OpenAIGenerator(baseURL: URL(string: "http://127.0.0.1:9")!, endpoint: .chat)
        guard case .success(let body) = g.chatBody(GenerationJob(context: ctx + "Step 1", seeds: [0])) else { Issue.record("no body"); return }
        #expect((body["messages"] as? [[String: String]])?.last == ["role": "assistant", "content": "Step 1"])
        #expect(body["continue_final_message"] as? Bool == true && body["add_generation_prompt"] as? Bool == false)
    }

    @Test func unreachableServerIsRetriedThenThrows() async throws {
        let port = try LlamaServer.freePort()
        let gen = OpenAIGenerator(baseURL: URL(string: "http://127.0.0.1:\(port)")!, maxAttempts: 3, initialBackoff: 0.05, timeout: 2)
        let t0 = Date()
        let error = await #expect(throws: BackendUnavailable.self) {
            _ = try await gen.generate([GenerationJob(context: "Hi", seeds: [0, 1])])
        }
        #expect(error?.description == "backend unavailable: after 3 attempts: http://127.0.0.1:\(port)/v1: Connection refused (errno 111)")
        // Two backoffs (0.05 s, 0.1 s) happened, and it gave up quickly.
        let dt = Date().timeIntervalSince(t0)
        #expect(dt >= 0.15 && dt < 20)
    }
}
