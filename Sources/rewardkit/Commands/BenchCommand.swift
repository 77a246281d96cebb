import ArgumentParser

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Run built-in benchmarks (ours vs the reference where one exists).",
        subcommands: [BenchScoreCommand.self, BenchVerifyCommand.self, BenchEngineCommand.self, BenchGenerateCommand.self,
                      BenchEvalCommand.self, BenchCodeCommand.self, BenchHFCommand.self,
                      BenchGemmCommand.self]
    )
}
