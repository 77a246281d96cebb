import Foundation
import Testing
import RewardCore
@testable import RewardVerifiers

@Suite struct SQLRewardTests {
    static func db() throws -> String {
        try #require(Bundle.module.url(forResource: "Fixtures/code/shop", withExtension: "sqlite")).path
    }

    static func reward(_ fields: JSONObject = [:]) throws -> SQLReward {
        var o = ComponentOptions(name: "sql", type: "sql", fields: fields)
        let r = try SQLReward(options: &o)
        try o.finish()
        return r
    }

    func score(_ r: SQLReward, _ pred: String, _ gold: String) throws -> RewardResult {
        r.score(Sample(response: pred, fields: ["db_path": .string(try Self.db()), "gold_sql": .string(gold)]))
    }

    @Test func birdComparesRowSets() throws {
        let r = try Self.reward()
        let gold = "SELECT name FROM customer WHERE city = 'Oslo'"
        #expect(try score(r, "SELECT name FROM customer WHERE city = 'Oslo' ORDER BY name DESC", gold).reward == 1)
        #expect(try score(r, "```sql\nSELECT c.name FROM customer c JOIN orders o ON o.customer_id = c.id WHERE c.city = 'Oslo'\n```", gold).reward == 1)  // duplicates ignored
        #expect(try score(r, "SELECT name FROM customer", gold).reward == 0)
        #expect(try score(r, "SELECT id, name FROM customer WHERE city = 'Oslo'", gold).reward == 0)
    }

    @Test func spiderComparesBagsWithColumnPermutationAndOrderBy() throws {
        let r = try Self.reward(["comparison": "spider"])
        let gold = "SELECT name, city FROM customer WHERE city = 'Oslo'"
        #expect(try score(r, "SELECT city, name FROM customer WHERE city = 'Oslo'", gold).reward == 1)
        // Bags: the join duplicates Ann and Cid, so it no longer matches.
        #expect(try score(r, "SELECT c.name, c.city FROM customer c JOIN orders o ON o.customer_id = c.id WHERE c.city = 'Oslo'", gold).reward == 0)
        let ordered = "SELECT name FROM customer ORDER BY name"
        #expect(try score(r, "SELECT name FROM customer ORDER BY name DESC", ordered).reward == 0)
        #expect(try score(r, "SELECT name FROM customer ORDER BY id", ordered).reward == 1)
        #expect(try score(r, "SELECT name FROM customer ORDER BY name DESC", "SELECT name FROM customer").reward == 1)
    }

    @Test func partialRewardsAreSeparateComponents() throws {
        let r = try Self.reward(["weights": ["execution": 3, "syntax": 1, "schema": 1, "ngram": 1]])
        let gold = "SELECT name FROM customer WHERE city = 'Oslo'"
        let exact = try score(r, gold, gold)
        #expect(exact.reward == 6)
        let wrong = try score(r, "SELECT city FROM customer WHERE city = 'Oslo'", gold)
        let c = try #require(wrong.diagnostics["components"])
        #expect(c["execution"]?.doubleValue == 0)
        #expect(c["syntax"]?.doubleValue == 1)
        // read: {customer, customer.city} vs {customer, customer.name, customer.city}
        #expect(abs((c["schema"]?.doubleValue ?? 0) - 2.0 / 3.0) < 1e-12)
        let broken = try score(r, "SELEC name FROM customer", gold)
        #expect(broken.diagnostics["components"]?["syntax"]?.doubleValue == 0)
        #expect(broken.diagnostics["pred_error"] != nil)
    }

    @Test func hostileQueriesScoreZeroAndChangeNothing() throws {
        let path = try Self.db()
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let r = try Self.reward(["timeout": 0.5, "max_rows": 10_000])
        let gold = "SELECT count(*) FROM customer"
        let attached = NSTemporaryDirectory() + "rk-attach-\(getpid()).db"
        let hostile = [
            "DROP TABLE customer",
            "DELETE FROM customer",
            "SELECT 4; DROP TABLE customer",
            "ATTACH DATABASE '\(attached)' AS x",
            "SELECT writefile('\(attached)', 'x')",
            "SELECT load_extension('/tmp/evil')",
            "PRAGMA writable_schema = 1",
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n",
            "SELECT count(*) FROM big a, big b, big c",    // 8e9 rows: the deadline stops it
            "SELECT a.x, b.x, c.x FROM big a, big b, big c",  // the row cap stops it
        ]
        for q in hostile {
            let t0 = Date()
            let res = try score(r, q, gold)
            let dt = Date().timeIntervalSince(t0)
            #expect(res.reward == 0, "\(q): \(res.diagnostics.text)")
            #expect(dt < 5, "\(q) took \(dt) s")
            print("hostile sql | \(q) | \(res.diagnostics["pred_error"]?.stringValue ?? "truncated=\(res.diagnostics["truncated"]?.boolValue ?? false)") | \(Int(dt * 1000)) ms")
        }
        #expect(!FileManager.default.fileExists(atPath: attached))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(try score(r, "SELECT 4", gold).reward == 1)
    }

    @Test func badRecordsNameTheField() throws {
        let r = try Self.reward()
        #expect(r.score(Sample(response: "SELECT 1", fields: ["gold_sql": "SELECT 1"])).error?.contains("db_path") == true)
        #expect(r.score(Sample(response: "SELECT 1", fields: ["db_path": .string(try Self.db())])).error?.contains("gold_sql") == true)
        #expect(throws: ConfigError.self) { try Self.reward(["weights": ["judge": 1]]) }
    }
}
