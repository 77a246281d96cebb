import Foundation
import GRDB
import Testing
import RewardCore
@testable import RewardLabel

@Suite struct LabelJobStoreTests {
    func input(_ problems: [LabelProblem]) -> LabelInput {
        var i = LabelInput()
        i.problems = problems
        i.inputHash = "h"
        return i
    }

    func job(_ g: ScriptedGenerator, db: String, method: LabelParameters.Method = .mc, sample: Int = 0) throws -> LabelJob {
        var p = LabelParameters(method: method)
        p.rollouts = 3
        p.sample = sample
        p.generator = g.name
        let store = try LabelJobStore(path: db, parameters: p.canonical, method: p.method.rawValue, inputHash: "h")
        return LabelJob(parameters: p, store: store, generator: g)
    }

    let problems = [
        problem(line: 1, steps: ["a", "b WRONG", "The answer is 1."]),
        problem(line: 2, steps: ["a", "b", "c", "The answer is 12."]),
        problem(line: 3, steps: ["a HALF", "b", "The answer is 12."]),
    ]

    @Test func crashedJobResumesWithoutLosingOrRepeatingRollouts() async throws {
        let full = tempDB()
        let g0 = ScriptedGenerator()
        _ = try await job(g0, db: full).run(input(problems))
        let expected = try job(ScriptedGenerator(), db: full).output().lines
        #expect(g0.samples == 3 * (2 + 3 + 2))

        let db = tempDB()
        let g1 = ScriptedGenerator()
        g1.failAfterCalls = 1
        await #expect(throws: CancellationError.self) { try await job(g1, db: db).run(input(problems)) }
        let store = try LabelJobStore(existing: db)
        #expect(try store.rolloutCount() == 6)
        #expect(try store.status().claimed == 1)   // the crashed claim, held by this (live) process
        // A restarted process takes the claim over (its owner is gone): simulate by rewriting the owner
        // to a pid that does not exist.
        try await store.db.write { try $0.execute(sql: "UPDATE label_solution SET worker='\(ProcessInfo.processInfo.hostName)|999999999|x|w0' WHERE state='claimed'") }
        let g2 = ScriptedGenerator()
        let s = try await job(g2, db: db).run(input(problems))
        #expect(g2.samples == 3 * (3 + 2))   // solution 1's 6 rollouts were not sampled again
        #expect(s.rolloutsStoredBefore == 6 && s.rolloutsStoredAfter == 21)
        #expect(try job(ScriptedGenerator(), db: db).output().lines == expected)
    }

    @Test func twoWorkersNeverClaimTheSameSolution() async throws {
        let db = tempDB()
        let g = ScriptedGenerator()
        let many = (1...12).map { problem(line: $0, steps: ["a", "b", "The answer is 12."]) }
        let s = try await job(g, db: db).run(input(many), workers: 4)
        #expect(s.labeledThisRun == 12)
        #expect(g.samples == 12 * 2 * 3)
        #expect(try LabelJobStore(existing: db).rolloutCount() == 12 * 2 * 3)
    }

    @Test func databaseOfAnotherJobIsRefusedUntouched() async throws {
        let db = tempDB()
        _ = try await job(ScriptedGenerator(), db: db).run(input(problems))
        let before = try LabelJobStore(existing: db).rolloutCount()
        var p = LabelParameters(method: .mc)
        p.rollouts = 5
        #expect {
            _ = try LabelJobStore(path: db, parameters: p.canonical, method: "mc", inputHash: "h")
        } throws: { e in
            let d = (e as? LabelStoreError)?.description ?? ""
            return d.contains(db) && d.contains("different job") && d.contains("rollouts=3")
        }
        #expect(try LabelJobStore(existing: db).rolloutCount() == before)
    }

    @Test func olderSchemaAndForeignDatabasesAreRefused() throws {
        let old = tempDB()
        let q = try DatabaseQueue(path: old)
        try q.write { db in
            try db.execute(sql: "CREATE TABLE label_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO label_meta VALUES ('schema_version', '0')")
        }
        #expect { _ = try LabelJobStore(path: old, parameters: "x", method: "mc", inputHash: "h") } throws: { e in
            "\(e)".contains(old) && "\(e)".contains("schema version 0")
        }
        let foreign = tempDB()
        try DatabaseQueue(path: foreign).write { try $0.execute(sql: "CREATE TABLE notes (t TEXT); INSERT INTO notes VALUES ('keep me')") }
        #expect { _ = try LabelJobStore(path: foreign, parameters: "x", method: "mc", inputHash: "h") } throws: { e in
            "\(e)".contains(foreign) && "\(e)".contains("not a `rewardkit label` job database")
        }
        #expect(try DatabaseQueue(path: foreign).read { try String.fetchOne($0, sql: "SELECT t FROM notes") } == "keep me")
    }

    @Test func badRecordsBecomeErrorsNamingLineAndField() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rk-label-in-\(UUID().uuidString).jsonl")
        let lines = [
            #"{"id":"ok","prompt":"2+2?","steps":["2+2=4","The answer is 4."],"reference":"4"}"#,
            #"{"id":"nosteps","prompt":"2+2?","steps":[],"reference":"4"}"#,
            #"{"id":"badgold","prompt":"2+2?","steps":["x"],"reference":"four-ish ]["}"#,
            #"{"prompt":"2+2?","steps":"one string","reference":"4"}"#,
            #"not json"#,
        ]
        try lines.joined(separator: "\n").write(to: dir, atomically: true, encoding: .utf8)
        let i = try LabelInput.read(path: dir.path)
        #expect(i.problems.map(\.id) == ["ok"])
        #expect(i.errors.map(\.line) == [2, 3, 4, 5])
        #expect(i.errors[0].message.contains("line 2") && i.errors[0].message.contains("'steps'") && i.errors[0].message.contains("no steps"))
        #expect(i.errors[1].message.contains("'reference'"))
        #expect(i.errors[2].message.contains("'steps'"))
    }

    @Test func sampledSolutionsAreStoredOnceAndSurviveACrash() async throws {
        // Problems without steps; the scripted model answers "Then we finish.\n\nThe answer is <gold>." → 2 steps.
        let probs = [problem(line: 1, steps: []), problem(line: 2, steps: [], gold: "7")]
        let full = tempDB()
        let g0 = ScriptedGenerator()
        _ = try await job(g0, db: full, sample: 2).run(input(probs))
        let expected = try job(ScriptedGenerator(), db: full, sample: 2).output().lines
        // Per problem: one sampling call of 2 samples; per sampled solution 1 prefix × 3 rollouts.
        #expect(g0.samples == 2 * 2 + 4 * 3)
        #expect(expected.count == 4)
        let recs = try expected.map { try JSONParser.parse($0) }
        #expect(recs.map { $0["sample"]?.intValue } == [0, 1, 0, 1])
        #expect(recs[0]["completions"] == .array([.string("Then we finish."), .string("The answer is 12.")]))
        #expect(recs[2]["completions"]?.arrayValue?.last == .string("The answer is 7."))
        #expect(recs.allSatisfy { $0["first_error"]?.intValue == -1 && $0["rollouts"] == .array([.number(3), .number(0)]) })

        // Crash right after problem 1's samples are stored (the first rollout call throws).
        let db = tempDB()
        let g1 = ScriptedGenerator()
        g1.failAfterCalls = 1
        await #expect(throws: CancellationError.self) { try await job(g1, db: db, sample: 2).run(input(probs)) }
        let store = try LabelJobStore(existing: db)
        #expect(try store.status().samples == 2 && store.rolloutCount() == 0)
        try await store.db.write { try $0.execute(sql: "UPDATE label_solution SET worker='\(ProcessInfo.processInfo.hostName)|999999999|x|w0' WHERE state='claimed'") }
        let g2 = ScriptedGenerator()
        _ = try await job(g2, db: db, sample: 2).run(input(probs))
        #expect(g2.samples == 2 + 4 * 3)   // problem 1 was not sampled again
        #expect(try store.status().samples == 4)
        #expect(try job(ScriptedGenerator(), db: db, sample: 2).output().lines == expected)
    }
}
