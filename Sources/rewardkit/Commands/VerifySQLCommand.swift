import ArgumentParser
import Foundation
import RewardCore
import RewardVerifiers

struct VerifySQLCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sql",
        abstract: "Execute predicted vs gold SQL on read-only SQLite files and compare the results.",
        discussion: """
            Each input line has `response` (the predicted query, or a response with a fenced block), \
            `gold_sql`, and `db_path` (or `db_id` with --db-dir). Each output line is the record plus \
            `reward`, `passed`, `ex`, `pred_error`, row counts, `truncated` and `components` (execution, \
            syntax, schema, ngram).
            """
    )

    @OptionGroup var files: ExecutionVerify.Files
    @Option(help: "bird (row sets) | spider (row bags, column permutations, ORDER BY)")
    var comparison: String = "bird"
    @Option(help: "Directory of databases for records with db_id.")
    var dbDir: String?
    @Option(help: "Seconds per query.")
    var timeout: Double = 30
    @Option(help: "Rows kept per result.")
    var maxRows: Int = 100_000

    func run() async throws {
        var f = JSONObject()
        f["comparison"] = .string(comparison)
        if let dbDir { f["db_dir"] = .string(dbDir) }
        f["timeout"] = .number(timeout)
        f["max_rows"] = .number(Double(maxRows))
        var o = ComponentOptions(name: "sql", type: "sql", fields: f)
        let r: SQLReward
        do { r = try SQLReward(options: &o); try o.finish() } catch { throw ValidationError("\(error)") }
        try await ExecutionVerify.run(r, files: files, label: "sql")
    }
}
