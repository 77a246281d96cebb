import Foundation
import GRDB

/// The job's state in one SQLite file: parameters and fingerprint, one row per input solution
/// (claimed by a worker in a transaction, then done with its output line), and one row per rollout
/// keyed by (solution, node, index). Killing the process at any moment loses at most the rollouts of
/// the generate call in flight; rerunning the same command continues from what is stored.
public final class LabelJobStore: Sendable {
    public static let schemaVersion = 1

    public let path: String
    let db: DatabaseQueue

    /// One rollout as stored.
    public struct Rollout: Sendable, Hashable {
        public var key: RolloutKey
        public var seed: UInt64
        public var text: String
        public var finish: String
        public var tokens: Int
        public var correct: Bool
        public init(key: RolloutKey, seed: UInt64, text: String, finish: String, tokens: Int, correct: Bool) {
            self.key = key; self.seed = seed; self.text = text; self.finish = finish; self.tokens = tokens; self.correct = correct
        }
    }

    public struct Status: Sendable, Hashable {
        public var method: String
        public var parameters: String
        public var total = 0, pending = 0, claimed = 0, done = 0, errors = 0
        public var rollouts = 0
        public var generatedTokens = 0
        /// Sampled solutions stored (`--sample` jobs) and their generated tokens.
        public var samples = 0
        public var sampleTokens = 0
    }

    /// Opens (or creates) the job DB for a job with this fingerprint. An existing DB from another job,
    /// another schema version, or not made by `rewardkit label` is refused, untouched.
    public init(path: String, parameters: String, method: String, inputHash: String) throws {
        self.path = path
        let fingerprint = Self.fingerprint(parameters: parameters, inputHash: inputHash)
        db = try Self.openQueue(path)
        try db.writeWithoutTransaction { db in
            try db.inTransaction(.immediate) {
                let hasMeta = try db.tableExists("label_meta")
                if !hasMeta {
                    let tables = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master WHERE type='table'") ?? 0
                    guard tables == 0 else {
                        throw LabelStoreError(path: path, "is not a `rewardkit label` job database (it has other tables); nothing was changed")
                    }
                    try Self.createSchema(db, fingerprint: fingerprint, parameters: parameters, method: method, inputHash: inputHash)
                    return .commit
                }
                try Self.checkVersion(db, path: path)
                let stored = try String.fetchOne(db, sql: "SELECT value FROM label_meta WHERE key='fingerprint'") ?? ""
                guard stored == fingerprint else {
                    let storedParams = try String.fetchOne(db, sql: "SELECT value FROM label_meta WHERE key='parameters'") ?? "?"
                    let storedInput = try String.fetchOne(db, sql: "SELECT value FROM label_meta WHERE key='input'") ?? "?"
                    throw LabelStoreError(path: path, """
                        belongs to a different job (fingerprint \(stored), this command's is \(fingerprint)); \
                        it was made with: \(storedParams.replacingOccurrences(of: "\n", with: ", ")), input \(storedInput). \
                        Use another --db or the original command; nothing was changed
                        """)
                }
                try Self.createSampleTable(db)
                return .commit
            }
        }
    }

    /// Opens an existing job DB read-mostly (for `label status`), checking only the schema version.
    public init(existing path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { throw LabelStoreError(path: path, "does not exist") }
        self.path = path
        db = try Self.openQueue(path)
        try db.read { db in
            guard try db.tableExists("label_meta") else {
                throw LabelStoreError(path: path, "is not a `rewardkit label` job database")
            }
            try Self.checkVersion(db, path: path)
        }
    }

    static func openQueue(_ path: String) throws -> DatabaseQueue {
        var config = Configuration()
        // Several processes may work on one job: wait for the writer instead of failing.
        config.busyMode = .timeout(60)
        config.label = "label-job"
        do {
            let q = try DatabaseQueue(path: path, configuration: config)
            try q.writeWithoutTransaction { db in
                // WAL: readers don't block the writer; synchronous=NORMAL is durable across process
                // kills (only an OS crash may lose the last transactions).
                _ = try String.fetchOne(db, sql: "PRAGMA journal_mode=WAL")
                try db.execute(sql: "PRAGMA synchronous=NORMAL")
            }
            return q
        } catch let e as DatabaseError {
            throw LabelStoreError(path: path, "cannot be opened as SQLite: \(e.message ?? e.description)")
        }
    }

    static func checkVersion(_ db: Database, path: String) throws {
        let v = try String.fetchOne(db, sql: "SELECT value FROM label_meta WHERE key='schema_version'").flatMap(Int.init) ?? 0
        guard v == schemaVersion else {
            throw LabelStoreError(path: path, "has schema version \(v); this rewardkit reads version \(schemaVersion). Relabel into a new --db; nothing was changed")
        }
    }

    /// Hash of everything that determines the labels: method, parameters, model, input.
    public static func fingerprint(parameters: String, inputHash: String) -> String {
        StableHash.hex(StableHash.fnv1a(parameters + "\u{0}" + inputHash))
    }

    static func createSchema(_ db: Database, fingerprint: String, parameters: String, method: String, inputHash: String) throws {
        try db.execute(sql: """
            CREATE TABLE label_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE label_solution (
                line INTEGER PRIMARY KEY,
                id TEXT NOT NULL,
                state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','claimed','done','error')),
                worker TEXT,
                claimed_at REAL,
                result TEXT,
                error TEXT);
            CREATE TABLE label_rollout (
                solution INTEGER NOT NULL,
                node TEXT NOT NULL,
                idx INTEGER NOT NULL,
                seed INTEGER NOT NULL,
                text TEXT NOT NULL,
                finish TEXT NOT NULL,
                tokens INTEGER NOT NULL,
                correct INTEGER NOT NULL,
                worker TEXT NOT NULL,
                PRIMARY KEY (solution, node, idx));
            """)
        try createSampleTable(db)
        for (k, v) in [("schema_version", String(schemaVersion)), ("fingerprint", fingerprint),
                       ("parameters", parameters), ("method", method), ("input", inputHash)] {
            try db.execute(sql: "INSERT INTO label_meta (key, value) VALUES (?, ?)", arguments: [k, v])
        }
    }

    /// Solutions sampled per input line (`--sample`). Created on open too, so a job DB made before
    /// sampling existed (same schema otherwise) still opens.
    static func createSampleTable(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE IF NOT EXISTS label_sample (
                line INTEGER NOT NULL,
                idx INTEGER NOT NULL,
                seed INTEGER NOT NULL,
                text TEXT NOT NULL,
                finish TEXT NOT NULL,
                tokens INTEGER NOT NULL,
                worker TEXT NOT NULL,
                PRIMARY KEY (line, idx));
            """)
    }

    /// One sampled solution as stored (the generated text, before it is split into steps).
    public struct Sample: Sendable, Hashable {
        public var line: Int
        public var index: Int
        public var seed: UInt64
        public var text: String
        public var finish: String
        public var tokens: Int
        public init(line: Int, index: Int, seed: UInt64, text: String, finish: String, tokens: Int) {
            self.line = line; self.index = index; self.seed = seed; self.text = text; self.finish = finish; self.tokens = tokens
        }
    }

    public func samples(line: Int) throws -> [Int: Sample] {
        try db.read { db in
            var out: [Int: Sample] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT idx, seed, text, finish, tokens FROM label_sample WHERE line=?", arguments: [line]) {
                let idx: Int = row["idx"]
                let seed: Int64 = row["seed"]
                out[idx] = Sample(line: line, index: idx, seed: UInt64(bitPattern: seed), text: row["text"], finish: row["finish"], tokens: row["tokens"])
            }
            return out
        }
    }

    /// Stores samples in one transaction; a (line, index) already present keeps its first text.
    public func insert(samples rows: [Sample], worker: WorkerIdentity) throws {
        try db.write { db in
            for r in rows {
                try db.execute(sql: """
                    INSERT INTO label_sample (line, idx, seed, text, finish, tokens, worker)
                    VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                    """, arguments: [r.line, r.index, Int64(bitPattern: r.seed), r.text, r.finish, r.tokens, worker.id])
            }
        }
    }

    public func setMeta(_ key: String, _ value: String) throws {
        try db.write { db in
            try db.execute(sql: "INSERT INTO label_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                           arguments: [key, value])
        }
    }

    /// Adds the input's solutions (idempotent: a resumed job registers the same lines again).
    /// Records that failed to parse are stored as errors so the output names them.
    public func register(solutions: [(line: Int, id: String)], errors: [(line: Int, id: String, message: String)]) throws {
        try db.write { db in
            for s in solutions {
                try db.execute(sql: "INSERT INTO label_solution (line, id) VALUES (?, ?) ON CONFLICT(line) DO NOTHING",
                               arguments: [s.line, s.id])
            }
            for e in errors {
                try db.execute(sql: "INSERT INTO label_solution (line, id, state, error) VALUES (?, ?, 'error', ?) ON CONFLICT(line) DO NOTHING",
                               arguments: [e.line, e.id, e.message])
            }
        }
    }

    /// Claims the next pending solution for `worker` in one transaction; a claim whose worker process
    /// is dead (same host) is taken over. Returns nil when nothing is left to claim.
    public func claimNext(worker: WorkerIdentity) throws -> Int? {
        try db.writeWithoutTransaction { db in
            var line: Int?
            try db.inTransaction(.immediate) {
                line = try Int.fetchOne(db, sql: "SELECT line FROM label_solution WHERE state='pending' ORDER BY line LIMIT 1")
                if line == nil {
                    let claimed = try Row.fetchAll(db, sql: "SELECT line, worker FROM label_solution WHERE state='claimed' ORDER BY line")
                    for row in claimed {
                        let w: String = row["worker"] ?? ""
                        if !WorkerIdentity.isAlive(w) { line = row["line"]; break }
                    }
                }
                if let line {
                    try db.execute(sql: "UPDATE label_solution SET state='claimed', worker=?, claimed_at=? WHERE line=?",
                                   arguments: [worker.id, Date().timeIntervalSince1970, line])
                }
                return .commit
            }
            return line
        }
    }

    public func rollouts(solution: Int, node: String) throws -> [Int: Rollout] {
        try db.read { db in
            var out: [Int: Rollout] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT idx, seed, text, finish, tokens, correct FROM label_rollout WHERE solution=? AND node=?",
                                        arguments: [solution, node]) {
                let idx: Int = row["idx"]
                let seed: Int64 = row["seed"]
                out[idx] = Rollout(key: RolloutKey(solution: solution, node: node, index: idx), seed: UInt64(bitPattern: seed),
                                   text: row["text"], finish: row["finish"], tokens: row["tokens"], correct: (row["correct"] as Int) != 0)
            }
            return out
        }
    }

    /// Stores rollouts in one transaction. A key already present keeps its first value (a second
    /// writer, if a claim was ever taken over from a live worker, cannot duplicate or change it).
    /// Returns the rows as stored.
    @discardableResult
    public func insert(_ rows: [Rollout], worker: WorkerIdentity) throws -> Int {
        try db.write { db in
            var inserted = 0
            for r in rows {
                try db.execute(sql: """
                    INSERT INTO label_rollout (solution, node, idx, seed, text, finish, tokens, correct, worker)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                    """, arguments: [r.key.solution, r.key.node, r.key.index, Int64(bitPattern: r.seed), r.text, r.finish,
                                     r.tokens, r.correct ? 1 : 0, worker.id])
                inserted += db.changesCount
            }
            return inserted
        }
    }

    public func complete(line: Int, result: String) throws {
        try db.write { db in
            try db.execute(sql: "UPDATE label_solution SET state='done', result=?, error=NULL WHERE line=?", arguments: [result, line])
        }
    }

    public func fail(line: Int, error: String) throws {
        try db.write { db in
            try db.execute(sql: "UPDATE label_solution SET state='error', error=? WHERE line=?", arguments: [error, line])
        }
    }

    /// Finished solutions in input order: the output line, or the error.
    public func results() throws -> [(line: Int, id: String, result: String?, error: String?)] {
        try db.read { db in
            try Row.fetchAll(db, sql: "SELECT line, id, result, error FROM label_solution WHERE state IN ('done','error') ORDER BY line").map {
                row -> (line: Int, id: String, result: String?, error: String?) in
                (line: row["line"], id: row["id"], result: row["result"], error: row["error"])
            }
        }
    }

    public func status() throws -> Status {
        try db.read { db in
            let meta = Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT key, value FROM label_meta").map {
                ($0["key"] as String, $0["value"] as String)
            })
            var s = Status(method: meta["method"] ?? "?", parameters: meta["parameters"] ?? "")
            for row in try Row.fetchAll(db, sql: "SELECT state, count(*) AS n FROM label_solution GROUP BY state") {
                let n: Int = row["n"]
                switch row["state"] as String {
                case "pending": s.pending = n
                case "claimed": s.claimed = n
                case "done": s.done = n
                default: s.errors = n
                }
            }
            s.total = s.pending + s.claimed + s.done + s.errors
            s.rollouts = try Int.fetchOne(db, sql: "SELECT count(*) FROM label_rollout") ?? 0
            s.generatedTokens = try Int.fetchOne(db, sql: "SELECT coalesce(sum(tokens),0) FROM label_rollout") ?? 0
            if try db.tableExists("label_sample") {
                s.samples = try Int.fetchOne(db, sql: "SELECT count(*) FROM label_sample") ?? 0
                s.sampleTokens = try Int.fetchOne(db, sql: "SELECT coalesce(sum(tokens),0) FROM label_sample") ?? 0
            }
            return s
        }
    }

    /// Rows that share a key (must be 0: the primary key forbids it; reported by tests and status).
    public func rolloutCount() throws -> Int {
        try db.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM label_rollout") ?? 0 }
    }
}

public struct LabelStoreError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String
    public init(path: String, _ message: String) { self.path = path; self.message = message }
    public var description: String { "job database \(path) \(message)" }
}
