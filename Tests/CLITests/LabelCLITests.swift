import Foundation
import Testing
import RewardCore

/// `rewardkit label` end to end on the embedded model (SmolLM2-135M-Instruct Q4_1): the real binary,
/// really killed with SIGKILL mid-job, resumed, and compared byte for byte with an uninterrupted run.
@Suite(.serialized) struct LabelCLITests {
    static let fixture = "Tests/RewardLabelTests/Fixtures/processbench_gsm8k_small.jsonl"
    /// Small sizes so the suite stays fast on a shared CPU; the methods are the same at any size.
    static let common = ["--rollouts", "3", "--max-tokens", "24", "--seed", "7"]

    func tempDir() -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("rk-labelcli-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }

    func status(_ db: String) throws -> JSONValue? {
        let r = try CLI.run(["label", "status", "--db", db])
        guard r.status == 0 else { return nil }
        return try? JSONParser.parse(r.out.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    func start(_ args: [String]) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CLI.binary)
        p.arguments = args
        p.currentDirectoryURL = CLI.repoRoot
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        return p
    }

    /// Runs `args` uninterrupted into one DB, then into another while killing it with SIGKILL as soon as it
    /// has stored more rollouts than at the last kill (up to 3 times), then resumes it. Returns the kills and
    /// both outputs; checks that no rollout was lost or stored twice and the outputs are byte-identical.
    func killAndResume(_ args: [String], solutions: Int) throws -> (kills: [(before: Int, after: Int)], reference: Data, refRollouts: Int) {
        let dir = tempDir()
        let refDB = dir.appendingPathComponent("ref.sqlite").path, refOut = dir.appendingPathComponent("ref.jsonl").path
        let ref = try CLI.run(args + ["--db", refDB, "--out", refOut])
        #expect(ref.status == 0, "\(ref.err)")
        let refRollouts = try status(refDB)?["rollouts"]?.intValue ?? -1

        let db = dir.appendingPathComponent("job.sqlite").path, out = dir.appendingPathComponent("out.jsonl").path
        var kills: [(before: Int, after: Int)] = []
        var stored = 0
        for _ in 0..<3 {
            let p = try start(args + ["--db", db, "--out", out])
            let t0 = Date()
            var now = stored
            while p.isRunning && Date().timeIntervalSince(t0) < 300 {
                now = try status(db)?["rollouts"]?.intValue ?? stored
                if now > stored { break }
                usleep(20_000)
            }
            guard p.isRunning, now < refRollouts else { p.waitUntilExit(); break }
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            guard p.terminationReason == .uncaughtSignal else { break }   // it finished just before the signal
            let after = try status(db)?["rollouts"]?.intValue ?? -1
            #expect(after >= now)   // nothing stored was lost
            kills.append((now, after))
            stored = after
        }
        // At least one kill must land mid-job (that is the property under test); a second one is attempted, but
        // whether it lands before the job ends depends on scheduling, so it is not required.
        #expect(kills.contains { $0.after < refRollouts }, "the job finished before it could be killed: \(kills)")
        let resumed = try CLI.run(args + ["--db", db, "--out", out])
        #expect(resumed.status == 0, "\(resumed.err)")
        let final = try status(db)
        #expect(final?["rollouts"]?.intValue == refRollouts)   // none lost, none twice
        #expect(final?["done"]?.intValue == solutions)
        let a = try Data(contentsOf: URL(fileURLWithPath: refOut)), b = try Data(contentsOf: URL(fileURLWithPath: out))
        #expect(a == b, "resumed output differs from the uninterrupted run")
        return (kills, a, refRollouts)
    }

    @Test func killNineAndResumeGivesIdenticalOutput() throws {
        // Longer rollouts than the other tests so each stored batch takes long enough to be seen (a status poll
        // is a process start) and killed before the next one: with 24 tokens the job sometimes finished between polls.
        let args = ["label", "--method", "mc", "--in", Self.fixture, "--rollouts", "3", "--max-tokens", "64", "--seed", "7"]
        let r = try killAndResume(args, solutions: 4)
        // 4 solutions × 2 rolled-out prefixes (the last step is checked directly) × 3 rollouts.
        #expect(r.refRollouts == 24)
        // Output shape: TRL stepwise records with soft labels and ProcessBench first_error.
        let first = try JSONParser.parse(String(decoding: r.reference, as: UTF8.self).split(separator: "\n")[0].description)
        #expect(first["completions"]?.arrayValue?.count == 3 && first["labels"]?.arrayValue?.count == 3)
        #expect(first["rollouts"]?.arrayValue?.compactMap(\.intValue) == [3, 3, 0])
        #expect(first["human_label"]?.intValue == 2)
    }

    /// OmegaPRM's tree search continues contexts made of generated text (a rollout's first steps): after a
    /// kill the resumed process re-tokenizes that text from the DB, and must label exactly as the
    /// uninterrupted run did.
    @Test func omegaPRMKillNineAndResumeGivesIdenticalOutput() throws {
        let args = ["label", "--method", "omegaprm", "--in", Self.fixture, "--rollouts", "3", "--max-tokens", "48", "--seed", "7",
                    "--temperature", "1.0", "--rollout-budget", "21", "--max-searches", "3"]
        let r = try killAndResume(args, solutions: 4)
        let recs = String(decoding: r.reference, as: UTF8.self).split(separator: "\n").map { try! JSONParser.parse(String($0)) }
        #expect(recs.count == 4)
        #expect(recs.allSatisfy { ($0["rollouts_used"]?.intValue ?? 99) <= 21 })
        // The tree search ran from the root on every solution whose given answer is wrong.
        #expect(recs.contains { ($0["tree"]?.arrayValue?.count ?? 0) >= 1 })
    }

    /// `--sample N`: solutions are generated first, stored in the job, split on blank lines and labeled;
    /// rerunning resumes without sampling again.
    @Test func sampledSolutionsAreStoredSplitAndLabeled() throws {
        let dir = tempDir()
        let db = dir.appendingPathComponent("s.sqlite").path
        let lines = try String(contentsOf: CLI.repoRoot.appendingPathComponent(Self.fixture), encoding: .utf8).split(separator: "\n").prefix(2)
        let input = dir.appendingPathComponent("in.jsonl")
        // Problems only (steps dropped), plus one record without a gold answer.
        var problems = try lines.map { l -> String in
            var o = try JSONParser.parse(String(l)).objectValue!
            o["steps"] = nil
            return JSONValue.object(o).jsonString
        }
        problems.append(#"{"id":"nogold","prompt":"What is 1+1?"}"#)
        try (problems.joined(separator: "\n") + "\n").write(to: input, atomically: true, encoding: .utf8)
        let args = ["label", "--method", "mc", "--in", input.path, "--db", db, "--sample", "2", "--rollouts", "2", "--max-tokens", "40", "--seed", "5"]
        let r = try CLI.run(args)
        #expect(r.status == 0, "\(r.err)")
        let recs = r.out.split(separator: "\n").map { try! JSONParser.parse(String($0)) }
        #expect(recs.count == 5, "\(r.out)")
        #expect(recs.prefix(4).map { $0["id"]?.stringValue } == ["gsm8k-6", "gsm8k-6", "gsm8k-20", "gsm8k-20"])
        #expect(recs.prefix(4).map { $0["sample"]?.intValue } == [0, 1, 0, 1])
        #expect(recs[4]["error"]?.stringValue?.contains("line 3: field 'reference'") == true, "\(recs[4])")
        for rec in recs.prefix(4) where rec["error"] == nil {
            let steps = rec["completions"]?.arrayValue ?? []
            #expect(!steps.isEmpty)
            // k rollouts for every step prefix but the full solution.
            #expect(rec["rollouts"]?.arrayValue?.compactMap(\.intValue) == Array(repeating: 2, count: steps.count - 1) + [0])
        }
        let st = try status(db)
        #expect(st?["samples"]?.intValue == 4)
        let tokens = st?["sample_tokens"]?.intValue ?? 0
        #expect(tokens > 0 && tokens <= 4 * 40)
        // Resume: nothing sampled or rolled out again; same output.
        let again = try CLI.run(args)
        #expect(again.status == 0 && again.out == r.out, "\(again.err)")
        #expect(again.err.contains("\"rollouts_new\":0") && again.err.contains("\"samples_stored\":4"), "\(again.err)")
        // Given steps need no --sample: the same input without steps is refused record by record.
        let given = try CLI.run(["label", "--method", "mc", "--in", input.path, "--db", dir.appendingPathComponent("g.sqlite").path, "--rollouts", "1", "--max-tokens", "4"])
        #expect(given.out.contains("field 'steps': missing"), "\(given.out)")
    }

    /// Consensus with a reward spec as the second annotator: first error = first step scored below the threshold.
    @Test func consensusAcceptsARewardSpecAnnotator() throws {
        let dir = tempDir()
        // One 2-token rollout per prefix: the MC side only has to run; this test is about the annotator.
        let base = ["label", "--method", "consensus", "--in", Self.fixture, "--rollouts", "1", "--max-tokens", "2", "--include-dropped"]
        let builtin = try CLI.run(base + ["--db", dir.appendingPathComponent("a.sqlite").path])
        #expect(builtin.status == 0, "\(builtin.err)")
        let spec = "examples/eval/math_steps.yaml"
        let viaSpec = try CLI.run(base + ["--db", dir.appendingPathComponent("b.sqlite").path, "--annotator", spec])
        #expect(viaSpec.status == 0, "\(viaSpec.err)")
        let a = builtin.out.split(separator: "\n").map { try! JSONParser.parse(String($0)) }
        let b = viaSpec.out.split(separator: "\n").map { try! JSONParser.parse(String($0)) }
        #expect(a.count == 4 && b.count == 4)
        // The math_steps spec scores a step 0 exactly where the built-in checker finds a false computation.
        #expect(a.map { $0["annotator_first_error"] } == b.map { $0["annotator_first_error"] })
        #expect(a.map { $0["first_error"] } == b.map { $0["first_error"] })
        #expect(b.allSatisfy { $0["annotator"]?.stringValue?.hasPrefix("spec:\(spec)#") == true }, "\(viaSpec.out)")
        #expect(a.allSatisfy { $0["annotator"]?.stringValue == "math_steps" })
        // A spec without step scores is an error of each record, naming the annotator; the job still completes.
        let noSteps = dir.appendingPathComponent("outcome.yaml")
        try "rewards:\n  - name: correct\n    type: math\n".write(to: noSteps, atomically: true, encoding: .utf8)
        let bad = try CLI.run(base + ["--db", dir.appendingPathComponent("c.sqlite").path, "--annotator", noSteps.path])
        #expect(bad.status == 0, "\(bad.err)")
        #expect(bad.out.split(separator: "\n").count == 4)
        #expect(bad.out.contains("field 'annotator'") && bad.out.contains("no step scores"), "\(bad.out)")
        // The annotator is part of the job: the spec-annotated DB refuses the built-in annotator.
        let other = try CLI.run(base + ["--db", dir.appendingPathComponent("b.sqlite").path])
        #expect(other.status == 1 && other.err.contains("different job"), "\(other.err)")
    }

    @Test func otherJobsDatabaseIsRefusedAndBadRecordsAreNamed() throws {
        let dir = tempDir()
        let input = dir.appendingPathComponent("in.jsonl")
        try [
            #"{"id":"a","prompt":"What is 2+3?","steps":["2+3=5","The answer is 5."],"reference":"5"}"#,
            #"{"id":"b","prompt":"What is 2+3?","steps":[],"reference":"5"}"#,
            #"{"id":"c","prompt":"What is 2+3?","steps":["x"],"reference":"]["}"#,
        ].joined(separator: "\n").write(to: input, atomically: true, encoding: .utf8)
        let db = dir.appendingPathComponent("job.sqlite").path
        let r = try CLI.run(["label", "--method", "omegaprm", "--in", input.path, "--db", db, "--rollouts", "2", "--max-tokens", "16"])
        #expect(r.status == 0, "\(r.err)")
        let lines = r.out.split(separator: "\n").map { try! JSONParser.parse(String($0)) }
        #expect(lines.count == 3)
        #expect(lines[0]["first_error"]?.intValue == -1)   // correct final answer: no search needed
        #expect(lines[0]["rollouts_used"]?.intValue ?? -1 >= 0)
        #expect(lines[1]["error"]?.stringValue?.contains("line 2: field 'steps': no steps") == true, "\(lines[1])")
        #expect(lines[2]["error"]?.stringValue?.contains("line 3: field 'reference'") == true, "\(lines[2])")
        #expect(r.err.contains("summary:"))
        let before = try status(db)
        // Same DB, different parameters: refused, naming the DB; nothing changed.
        let other = try CLI.run(["label", "--method", "omegaprm", "--in", input.path, "--db", db, "--rollouts", "4", "--max-tokens", "16"])
        #expect(other.status == 1)
        #expect(other.err.contains(db) && other.err.contains("different job"), "\(other.err)")
        #expect(try status(db) == before)
        let st = try status(db)
        #expect(st?["done"]?.intValue == 1 && st?["errors"]?.intValue == 2 && st?["pending"]?.intValue == 0)
        // Not a job DB at all.
        let bad = try CLI.run(["label", "status", "--db", input.path])
        #expect(bad.status == 1 && bad.err.contains(input.path), "\(bad.err)")
    }
}
