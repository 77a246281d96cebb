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

    @Test func killNineAndResumeGivesIdenticalOutput() throws {
        let dir = tempDir()
        let refDB = dir.appendingPathComponent("ref.sqlite").path, refOut = dir.appendingPathComponent("ref.jsonl").path
        // Longer rollouts than the other tests so each stored batch takes long enough to be seen (a status poll
        // is a process start) and killed before the next one: with 24 tokens the job sometimes finished between polls.
        let args = ["label", "--method", "mc", "--in", Self.fixture, "--rollouts", "3", "--max-tokens", "64", "--seed", "7"]
        let ref = try CLI.run(args + ["--db", refDB, "--out", refOut])
        #expect(ref.status == 0, "\(ref.err)")
        let refRollouts = try status(refDB)?["rollouts"]?.intValue ?? -1
        // 4 solutions × 2 rolled-out prefixes (the last step is checked directly) × 3 rollouts.
        #expect(refRollouts == 24)

        let db = dir.appendingPathComponent("job.sqlite").path, out = dir.appendingPathComponent("out.jsonl").path
        var kills: [(before: Int, after: Int)] = []
        var stored = 0
        // Kill as soon as the job has stored more rollouts than at the last kill, up to 3 times.
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
        #expect(final?["done"]?.intValue == 4)
        let a = try Data(contentsOf: URL(fileURLWithPath: refOut)), b = try Data(contentsOf: URL(fileURLWithPath: out))
        #expect(a == b, "resumed output differs from the uninterrupted run")
        // Output shape: TRL stepwise records with soft labels and ProcessBench first_error.
        let first = try JSONParser.parse(String(decoding: a, as: UTF8.self).split(separator: "\n")[0].description)
        #expect(first["completions"]?.arrayValue?.count == 3 && first["labels"]?.arrayValue?.count == 3)
        #expect(first["rollouts"]?.arrayValue?.compactMap(\.intValue) == [3, 3, 0])
        #expect(first["human_label"]?.intValue == 2)
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
