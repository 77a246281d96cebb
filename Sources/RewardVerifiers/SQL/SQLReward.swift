import Foundation
import RewardCore

/// `type: sql` — executes the predicted and the gold query on the record's SQLite file and
/// compares the results; the Reasoning-SQL partial rewards are separate, weightable components.
///
///     - type: sql
///       comparison: bird            # bird (sets) | spider (bags, column permutation, ORDER BY)
///       db_dir: data/spider/database # for records with db_id instead of db_path
///       timeout: 30                 # seconds per query (progress-handler deadline)
///       max_rows: 100000
///       weights: {execution: 3, syntax: 1, schema: 1, ngram: 1}   # default {execution: 1}
///
/// reward = Σ weight·component. Components: execution (results match; any error is 0), syntax
/// (the predicted query runs), schema (Jaccard of tables and columns read, predicted vs gold),
/// ngram (Jaccard of token bigrams of the two queries).
public struct SQLReward: RewardFunction {
    public static let componentNames = ["execution", "syntax", "schema", "ngram"]

    public var comparison: SQLComparison = .bird
    public var dbDir: String?
    public var timeout = 30.0
    public var maxRows = 100_000
    public var weights: [String: Double] = ["execution": 1]
    public var extraction: CodeExtraction = .lastBlock
    public var workers = ProcessInfo.processInfo.activeProcessorCount
    public var kind: String { "sql" }

    public init() {}

    public init(options o: inout ComponentOptions) throws {
        comparison = SQLComparison(rawValue: try o.choice("comparison", SQLComparison.allCases.map(\.rawValue), default: "bird"))!
        dbDir = try o.string("db_dir")
        timeout = try o.double("timeout", default: 30)
        maxRows = try o.int("max_rows", default: 100_000)
        workers = max(1, try o.int("workers", default: workers))
        extraction = CodeExtraction(rawValue: try o.choice("extract", CodeExtraction.allCases.map(\.rawValue), default: "last_block"))!
        if let w = try o.object("weights") {
            weights = [:]
            for m in w {
                guard SQLReward.componentNames.contains(m.key) else {
                    throw ConfigError("reward '\(o.name)' (type sql): field 'weights': unknown component '\(m.key)' (known: \(SQLReward.componentNames.joined(separator: ", ")))")
                }
                guard let d = m.value.doubleValue else { throw ConfigError("reward '\(o.name)' (type sql): field 'weights.\(m.key)' must be a number") }
                weights[m.key] = d
            }
        }
        guard timeout > 0 else { throw ConfigError("reward '\(o.name)' (type sql): field 'timeout' must be > 0") }
        guard maxRows >= 1 else { throw ConfigError("reward '\(o.name)' (type sql): field 'max_rows' must be ≥ 1") }
    }

    public func score(_ samples: [Sample], context: ScoringContext) async throws -> [RewardResult] {
        await withTaskGroup(of: (Int, RewardResult).self) { g in
            var out = [RewardResult?](repeating: nil, count: samples.count)
            var next = 0
            func add() {
                guard next < samples.count else { return }
                let i = next
                next += 1
                // SQLite blocks: run it on a dispatch thread, not the cooperative pool.
                g.addTask {
                    (i, await withCheckedContinuation { k in DispatchQueue.global().async { k.resume(returning: self.score(samples[i])) } })
                }
            }
            for _ in 0..<min(workers, samples.count) { add() }
            for await (i, r) in g { out[i] = r; add() }
            return out.map { $0! }
        }
    }

    func databasePath(_ f: JSONObject) throws -> String {
        if let p = f["db_path"]?.stringValue { return p }
        guard let id = f["db_id"]?.stringValue else { throw SandboxError("missing field 'db_path' (or 'db_id' with the spec's db_dir)") }
        guard let dir = dbDir else { throw SandboxError("field 'db_id' needs 'db_dir' in the reward spec") }
        guard !id.contains("/"), !id.contains("..") else { throw SandboxError("field 'db_id' must be a plain name") }
        let fm = FileManager.default
        for p in ["\(dir)/\(id)/\(id).sqlite", "\(dir)/\(id).sqlite", "\(dir)/\(id).db"] where fm.fileExists(atPath: p) { return p }
        throw SandboxError("field 'db_id': no \(id).sqlite under '\(dir)'")
    }

    public func score(_ s: Sample) -> RewardResult {
        let path: String
        do { path = try databasePath(s.fields) } catch { return .failure("\(error)") }
        guard let gold = s.fields["gold_sql"]?.stringValue ?? s.fields["query"]?.stringValue ?? s.reference else {
            return .failure("missing field 'gold_sql'")
        }
        let pred = SQLReward.extractSQL(s.response, extraction)
        var d = JSONObject()
        d["pred_sql"] = .string(pred)
        let goldResult: SQLResult
        do { goldResult = try ReadOnlySQLite.query(path: path, sql: gold, timeout: timeout, maxRows: maxRows) } catch {
            return .failure("field 'gold_sql': \(error)")
        }
        var comps: [String: Double] = ["execution": 0, "syntax": 0, "schema": 0, "ngram": SQLReward.ngramJaccard(pred, gold)]
        do {
            let r = try ReadOnlySQLite.query(path: path, sql: pred, timeout: timeout, maxRows: maxRows)
            comps["syntax"] = 1
            comps["schema"] = SQLReward.jaccard(r.tablesRead.union(r.columnsRead), goldResult.tablesRead.union(goldResult.columnsRead))
            // A truncated side cannot be proven equal.
            let ex = !r.truncated && !goldResult.truncated && comparison.matches(pred: r, gold: goldResult, goldSQL: gold)
            comps["execution"] = ex ? 1 : 0
            d["pred_rows"] = .number(Double(r.rows.count))
            d["truncated"] = .bool(r.truncated || goldResult.truncated)
        } catch let e as SQLExecutionError {
            d["pred_error"] = .string(e.description)
            if e.timeout { d["timeout"] = .bool(true) }
        } catch {
            d["pred_error"] = .string("\(error)")
        }
        d["gold_rows"] = .number(Double(goldResult.rows.count))
        d["ex"] = .bool(comps["execution"] == 1)
        var reward = 0.0
        var c = JSONObject()
        for name in SQLReward.componentNames {
            c[name] = .number(comps[name]!)
            reward += (weights[name] ?? 0) * comps[name]!
        }
        d["components"] = .object(c)
        return RewardResult(reward: reward, passed: comps["execution"] == 1, diagnostics: d)
    }

    /// The query: the last fenced block if any (```sql … ```), else the whole response.
    static func extractSQL(_ response: String, _ e: CodeExtraction) -> String {
        (e.extract(from: response) ?? response).trimmed
    }

    static func jaccard(_ a: Set<String>, _ b: Set<String>) -> Double {
        if a.isEmpty && b.isEmpty { return 1 }
        return Double(a.intersection(b).count) / Double(a.union(b).count)
    }

    static func tokens(_ sql: String) -> [String] {
        var out: [String] = [], cur = ""
        for ch in sql.lowercased() {
            if ch.isLetter || ch.isNumber || ch == "_" || ch == "." { cur.append(ch); continue }
            if !cur.isEmpty { out.append(cur); cur = "" }
            if !ch.isWhitespace { out.append(String(ch)) }
        }
        if !cur.isEmpty { out.append(cur) }
        return out
    }

    static func ngramJaccard(_ a: String, _ b: String, n: Int = 2) -> Double {
        func grams(_ s: String) -> Set<String> {
            let t = tokens(s)
            guard t.count >= n else { return Set(t.isEmpty ? [] : [t.joined(separator: " ")]) }
            return Set((0...(t.count - n)).map { t[$0..<($0 + n)].joined(separator: " ") })
        }
        return jaccard(grams(a), grams(b))
    }
}

extension RewardRegistry {
    /// `code` and `sql`.
    public static var executionRewards: RewardRegistry {
        var r = RewardRegistry.execution
        r.register("sql", summary: "execution match of predicted vs gold SQL on a read-only SQLite file (bird/spider) + Reasoning-SQL partial rewards") { o in
            try SQLReward(options: &o)
        }
        return r
    }
}
