import Foundation
import Testing
import RewardCore

@Suite(.enabled(if: geteuid() == 0, "the code jail needs root"))
struct ExecutionCLITests {
    static let shop = "Tests/RewardVerifiersTests/Fixtures/code/shop.sqlite"

    @Test func verifyCodeRunsEachLineAndKeepsGoingAfterBadOnes() throws {
        let lines = [
            #"{"response": "```python\nprint(sum(map(int, input().split())))\n```", "inputs": ["1 2"], "outputs": ["3"]}"#,
            #"{"response": "print(0)", "inputs": ["1 2"], "outputs": ["3"]}"#,
            #"{"response": "x", "inputs": "nope"}"#,
            #"{bad json"#,
        ]
        let r = try CLI.run(["verify", "code", "--timeout", "2"], stdin: Data((lines.joined(separator: "\n") + "\n").utf8))
        #expect(r.status == 0, "\(r.err)")
        let out = r.out.split(separator: "\n").map { try! JSONParser.parse(String($0)) }
        #expect(out.count == 4)
        #expect(out[0]["reward"]?.doubleValue == 1)
        #expect(out[0]["isolation"]?.stringValue?.contains("seccomp") == true)
        #expect(out[1]["reward"]?.doubleValue == 0)
        #expect(out[1]["status"]?.stringValue == "wrong_answer")
        #expect(out[2]["error"]?.stringValue?.hasPrefix("line 3:") == true)
        #expect(out[3]["line"]?.doubleValue == 4)
        #expect(r.err.contains("verify code: 4 lines, 1 passed, 2 errors"))
    }

    @Test func verifySQL() throws {
        let lines = [
            #"{"response": "SELECT name FROM customer WHERE city = 'Oslo'", "gold_sql": "SELECT name FROM customer WHERE city = 'Oslo'", "db_id": "shop"}"#,
            #"{"response": "DROP TABLE customer", "gold_sql": "SELECT 1", "db_id": "shop"}"#,
        ]
        let r = try CLI.run(["verify", "sql", "--db-dir", "Tests/RewardVerifiersTests/Fixtures/code"],
                            stdin: Data((lines.joined(separator: "\n") + "\n").utf8))
        #expect(r.status == 0, "\(r.err)")
        let out = r.out.split(separator: "\n").map { try! JSONParser.parse(String($0)) }
        #expect(out.map { $0["reward"]?.doubleValue } == [1, 0])
        #expect(out[1]["pred_error"]?.stringValue != nil)
    }

    @Test func scoreWithCodeAndSQLComponents() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rk-exec-cli-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = dir.appendingPathComponent("spec.yaml")
        try """
        rewards:
          - name: tests
            type: code
            reward: fraction
            timeout: 2
          - name: sql
            type: sql
            weight: 0.5
            weights: {execution: 1, syntax: 1}
        """.write(to: spec, atomically: true, encoding: .utf8)
        let line = #"{"response": "print(int(input()) * 2)", "inputs": ["2", "5"], "outputs": ["4", "11"], "gold_sql": "SELECT 1", "db_path": "\#(Self.shop)"}"#
        let r = try CLI.run(["score", "-c", spec.path, "--quiet"], stdin: Data((line + "\n").utf8))
        #expect(r.status == 0, "\(r.err)")
        let o = try JSONParser.parse(r.out.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(o["rewards"]?["tests"]?.doubleValue == 0.5, "\(r.out)")
        // The response is not SQL that runs: execution 0, syntax 0.
        #expect(o["rewards"]?["sql"]?.doubleValue == 0, "\(r.out)")
        #expect(o["reward"]?.doubleValue == 0.5)
    }
}
