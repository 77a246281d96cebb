import Testing
@testable import RewardCore

@Suite struct RecordDecoderTests {
    func decode(_ s: String) throws -> Record {
        try RecordDecoder.decode(try JSONParser.parse(s).objectValue!, line: 3)
    }

    @Test func generic() throws {
        guard case .single(let s) = try decode(#"{"id":"a","prompt":"2+2?","response":"4","answer":"4","prompt_id":"g1","extra":7}"#) else {
            Issue.record("not single"); return
        }
        #expect(s.id == "a" && s.prompt == .text("2+2?") && s.response == "4" && s.reference == "4" && s.group == "g1")
        #expect(s.fields["extra"] == 7)
    }

    @Test func messagesEndingWithAssistant() throws {
        guard case .single(let s) = try decode(#"{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"hello"}]}"#) else {
            Issue.record("not single"); return
        }
        #expect(s.response == "hello")
        #expect(s.prompt == .messages([ChatMessage(role: "user", content: "hi")]))
    }

    @Test func trlPreferenceConversational() throws {
        let line = #"{"prompt":[{"role":"user","content":"q"}],"chosen":[{"role":"assistant","content":"good"}],"rejected":[{"role":"assistant","content":"bad"}]}"#
        guard case .pair(let c, let r) = try decode(line) else { Issue.record("not pair"); return }
        #expect(c.response == "good" && r.response == "bad")
        #expect(c.prompt == .messages([ChatMessage(role: "user", content: "q")]))
    }

    @Test func hhRLHFTranscriptsSplit() throws {
        let line = #"{"chosen":"\n\nHuman: How do I bake?\n\nAssistant: Preheat.\n\nHuman: Then?\n\nAssistant: Mix flour.","rejected":"\n\nHuman: How do I bake?\n\nAssistant: Preheat.\n\nHuman: Then?\n\nAssistant: No idea."}"#
        guard case .pair(let c, let r) = try decode(line) else { Issue.record("not pair"); return }
        #expect(c.response == "Mix flour.")
        #expect(r.response == "No idea.")
        #expect(c.prompt.text.hasSuffix("Then?\n\nAssistant:"))
    }

    @Test func processBenchAndStepwise() throws {
        guard case .single(let p) = try decode(#"{"problem":"P","steps":["a","b"],"label":1}"#) else { Issue.record(""); return }
        #expect(p.steps == ["a", "b"] && p.prompt.text == "P" && p.response == "a\n\nb")
        guard case .single(let t) = try decode(#"{"prompt":"P","completions":["x","y","z"],"labels":[true,true,false]}"#) else { Issue.record(""); return }
        #expect(t.steps == ["x", "y", "z"])
    }

    @Test func errorsNameLineAndField() {
        #expect(throws: RecordError.self) { try decode(#"{"prompt":"x"}"#) }
        do { _ = try decode(#"{"prompt":"x","response":"5.5","steps":[1]}"#); Issue.record("expected error") } catch let e as RecordError {
            #expect(e.description == "line 3: field 'steps[0]': must be a string, got number 1")
        } catch { Issue.record("\(error)") }
        do { _ = try decode(#"{"response":{"a":1}}"#); Issue.record("expected error") } catch let e as RecordError {
            #expect(e.description.contains("line 3: field 'response'"))
        } catch { Issue.record("\(error)") }
    }
}
