import CSQLite
import Foundation

/// One SQLite value of a result row. Integral reals become integers so 1 and 1.0 compare equal
/// (as Python tuples do in the BIRD and Spider evaluators).
public enum SQLValue: Hashable, Sendable, Comparable {
    case null, int(Int64), real(Double), text(String), blob([UInt8])

    static func rank(_ v: SQLValue) -> Int {
        switch v { case .null: 0; case .int, .real: 1; case .text: 2; case .blob: 3 }
    }

    public static func < (a: SQLValue, b: SQLValue) -> Bool {
        switch (a, b) {
        case (.int(let x), .int(let y)): return x < y
        case (.int(let x), .real(let y)): return Double(x) < y
        case (.real(let x), .int(let y)): return x < Double(y)
        case (.real(let x), .real(let y)): return x < y
        case (.text(let x), .text(let y)): return x < y
        case (.blob(let x), .blob(let y)): return x.lexicographicallyPrecedes(y)
        default: return rank(a) < rank(b)
        }
    }
}

/// The result of one query.
public struct SQLResult: Sendable {
    public var columns: Int
    public var rows: [[SQLValue]]
    /// The row cap was hit (the rows are a prefix).
    public var truncated: Bool
    /// Tables and table.column pairs the query read (from the authorizer), lower-cased.
    public var tablesRead: Set<String>
    public var columnsRead: Set<String>
}

public struct SQLExecutionError: Error, CustomStringConvertible, Sendable {
    public var description: String
    /// The deadline or the row cap stopped it.
    public var timeout: Bool
    init(_ d: String, timeout: Bool = false) { description = d; self.timeout = timeout }
}

/// Runs one untrusted statement on a SQLite file: opened with SQLITE_OPEN_READONLY (a flag, not a
/// URI, so ATTACH cannot create files), defensive mode, no extensions, no ATTACH, an authorizer
/// that allows reading only, exactly one statement, a progress-handler deadline (it stops a
/// recursive CTE that never ends; sqlite3_interrupt from another thread is racier), and a row cap.
public enum ReadOnlySQLite {
    /// Process-wide SQLite heap ceiling, set once (sqlite3_hard_heap_limit64 is global).
    public static let heapLimitBytes: Int64 = 1 << 30
    private static let heapOnce: Void = {
        if sqlite3_hard_heap_limit64(-1) == 0 { _ = sqlite3_hard_heap_limit64(heapLimitBytes) }
    }()

    final class Context {
        var deadline: UInt64 = 0
        var timedOut = false
        var denied: String?
        var tables = Set<String>()
        var columns = Set<String>()
    }

    static func nowNs() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    public static func query(path: String, sql: String, timeout: Double, maxRows: Int) throws -> SQLResult {
        _ = heapOnce
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nil)
        defer { sqlite3_close_v2(db) }
        guard rc == SQLITE_OK, let db else {
            throw SQLExecutionError("cannot open database '\(path)': \(db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory")")
        }
        guard rk_sqlite_harden(db) == SQLITE_OK else { throw SQLExecutionError("cannot harden the connection") }
        let ctx = Context()
        let ptr = Unmanaged.passUnretained(ctx).toOpaque()
        sqlite3_set_authorizer(db, { p, action, a1, a2, _, _ in
            let c = Unmanaged<Context>.fromOpaque(p!).takeUnretainedValue()
            switch action {
            case SQLITE_SELECT, SQLITE_FUNCTION, SQLITE_RECURSIVE:
                return SQLITE_OK
            case SQLITE_READ:
                if let t = a1.map({ String(cString: $0).lowercased() }) {
                    c.tables.insert(t)
                    if let col = a2.map({ String(cString: $0).lowercased() }), !col.isEmpty { c.columns.insert(t + "." + col) }
                }
                return SQLITE_OK
            default:
                if c.denied == nil { c.denied = "action \(action)" }
                return SQLITE_DENY
            }
        }, ptr)
        ctx.deadline = nowNs() + UInt64(max(0, timeout) * 1e9)
        // Called every 1000 VM instructions; nonzero aborts the statement.
        sqlite3_progress_handler(db, 1000, { p in
            let c = Unmanaged<Context>.fromOpaque(p!).takeUnretainedValue()
            if ReadOnlySQLite.nowNs() > c.deadline { c.timedOut = true; return 1 }
            return 0
        }, ptr)
        var stmt: OpaquePointer?
        var tail: UnsafePointer<CChar>?
        let prc = sql.withCString { sqlite3_prepare_v2(db, $0, -1, &stmt, &tail) }
        defer { sqlite3_finalize(stmt) }
        guard prc == SQLITE_OK, let stmt else {
            if prc == SQLITE_OK { throw SQLExecutionError("empty query") }
            let msg = String(cString: sqlite3_errmsg(db))
            throw SQLExecutionError(ctx.denied != nil ? "not allowed (read-only queries only): \(msg)" : msg)
        }
        if let tail, !String(cString: tail).allSatisfy({ $0.isWhitespace || $0 == ";" }) {
            throw SQLExecutionError("more than one statement")
        }
        guard sqlite3_stmt_readonly(stmt) != 0 else { throw SQLExecutionError("not a read-only statement") }
        let n = Int(sqlite3_column_count(stmt))
        var rows: [[SQLValue]] = []
        var truncated = false
        while true {
            let s = sqlite3_step(stmt)
            if s == SQLITE_DONE { break }
            guard s == SQLITE_ROW else {
                if ctx.timedOut { throw SQLExecutionError("timed out after \(timeout) s", timeout: true) }
                throw SQLExecutionError(String(cString: sqlite3_errmsg(db)))
            }
            if rows.count >= maxRows { truncated = true; break }
            var row: [SQLValue] = []
            row.reserveCapacity(n)
            for i in 0..<Int32(n) {
                switch sqlite3_column_type(stmt, i) {
                case SQLITE_INTEGER: row.append(.int(sqlite3_column_int64(stmt, i)))
                case SQLITE_FLOAT:
                    let d = sqlite3_column_double(stmt, i)
                    if d.rounded() == d, abs(d) < 9e15 { row.append(.int(Int64(d))) } else { row.append(.real(d)) }
                case SQLITE_TEXT: row.append(.text(String(cString: sqlite3_column_text(stmt, i))))
                case SQLITE_BLOB:
                    let len = Int(sqlite3_column_bytes(stmt, i))
                    if let b = sqlite3_column_blob(stmt, i), len > 0 {
                        row.append(.blob(Array(UnsafeRawBufferPointer(start: b, count: len))))
                    } else { row.append(.blob([])) }
                default: row.append(.null)
                }
            }
            rows.append(row)
        }
        return SQLResult(columns: n, rows: rows, truncated: truncated, tablesRead: ctx.tables, columnsRead: ctx.columns)
    }
}
