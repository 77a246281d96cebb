import Foundation
import Testing
import RewardCore

/// `rewardkit search` through the real binary on the embedded model: records, error records, resume.
@Suite(.serialized) struct SearchCLITests {
    static let problems = """
        {"id":"p1","prompt":"What is 2 + 3? Put the final answer in \\\\boxed{}.","reference":"5"}
        {"id":"p2","question":"Sam has 4 pens and buys 3 more. How many pens does he have?","reference":"7"}
        {"id":"p3","reference":"1"}
        not json

        """

    func lines(_ path: String) throws -> [JSONValue] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { try JSONParser.parse(String($0)) }
    }

    @Test func beamSearchWritesRecordsErrorRecordsAndResumes() throws {
        let d = IOTestDir.make()
        let input = d.appendingPathComponent("problems.jsonl").path
        try Self.problems.write(toFile: input, atomically: true, encoding: .utf8)
        let out = d.appendingPathComponent("out.jsonl").path
        let args = ["search", "--method", "beam", "--in", input, "--out", out, "-n", "4", "--beam-width", "2",
                    "--max-tokens", "40", "--step-tokens", "20", "--max-steps", "2", "--seed", "3", "--trace"]
        let r = try CLI.run(args)
        #expect(r.status == 0, "\(r.err)")
        let recs = try lines(out)
        #expect(recs.count == 4)
        for (k, id) in ["p1", "p2"].enumerated() {
            let o = recs[k]
            #expect(o["id"]?.stringValue == id)
            #expect(o["error"] == nil, "\(o.jsonString)")
            #expect(o["method"]?.stringValue == "beam")
            #expect(o["pred"] != nil && o["completion"] != nil && o["correct"]?.boolValue != nil)
            let comps = o["completions"]?.arrayValue ?? []
            #expect(!comps.isEmpty && comps.count <= 4)
            let stats = try #require(o["stats"])
            let gen = stats["generated_tokens"]?.intValue ?? 0
            #expect(gen > 0)
            // Prefix sharing: a beam's later steps reuse the KV of the prompt and of earlier steps.
            #expect((stats["prefill_tokens"]?.intValue ?? 0) < (stats["context_tokens"]?.intValue ?? 0))
            #expect((stats["prm_calls"]?.intValue ?? 0) == (o["tree"]?.arrayValue?.count ?? -1))
        }
        #expect(recs[2]["id"]?.stringValue == "p3")
        #expect(recs[2]["error"]?.stringValue?.contains("no prompt") == true)
        #expect(recs[3]["error"]?.stringValue?.contains("line 4") == true)
        #expect(r.err.contains("\"solved\":2") && r.err.contains("\"errors\":2"))
        // Rerun: finished ids are skipped, failed lines retried.
        let again = try CLI.run(args)
        #expect(again.status == 0)
        #expect(again.err.contains("\"skipped\":2") && again.err.contains("\"solved\":0"))
        #expect(try lines(out).count == 6)
    }

    @Test func bestOfNVotesAndRejectsSpecsWithoutStepScores() throws {
        let d = IOTestDir.make()
        let input = d.appendingPathComponent("problems.jsonl").path
        try Self.problems.write(toFile: input, atomically: true, encoding: .utf8)
        let out = d.appendingPathComponent("bon.jsonl").path
        let r = try CLI.run(["search", "--method", "best_of_n", "--in", input, "--out", out, "-n", "3", "--max-tokens", "32",
                             "--pick", "majority", "--aggregation", "min"])
        #expect(r.status == 0, "\(r.err)")
        let recs = try lines(out)
        #expect(recs[0]["completions"]?.arrayValue?.count == 3)
        #expect(recs[0]["stats"]?["generator_calls"]?.intValue == 1)
        // A spec without step scores cannot guide a search: one error record per problem, no crash.
        let spec = d.appendingPathComponent("flat.yaml").path
        try "rewards:\n  - type: reasoning_pattern\n".write(toFile: spec, atomically: true, encoding: .utf8)
        let out2 = d.appendingPathComponent("flat.jsonl").path
        let f = try CLI.run(["search", "--in", input, "--out", out2, "-n", "2", "--max-tokens", "8", "--config", spec])
        #expect(f.status == 0, "\(f.err)")
        let recs2 = try lines(out2)
        #expect(recs2[0]["error"]?.stringValue?.contains("no step scores") == true)
        #expect(recs2[1]["error"]?.stringValue?.contains("no step scores") == true)
    }

    @Test func unreachableBackendGivesErrorRecordsAndBadOptionsFail() throws {
        let d = IOTestDir.make()
        let input = d.appendingPathComponent("problems.jsonl").path
        try Self.problems.write(toFile: input, atomically: true, encoding: .utf8)
        let out = d.appendingPathComponent("remote.jsonl").path
        let r = try CLI.run(["search", "--backend", "openai", "--base-url", "http://127.0.0.1:9/v1", "--in", input, "--out", out,
                             "-n", "2", "--max-tokens", "8"])
        #expect(r.status == 0, "\(r.err)")
        let recs = try lines(out)
        #expect(recs.count == 4)
        #expect(recs[0]["error"]?.stringValue?.contains("backend unavailable") == true)
        let bad = try CLI.run(["search", "--method", "nope", "--in", input, "--out", out])
        #expect(bad.status != 0 && bad.err.contains("--method"))
    }
}
