import ArgumentParser

@main
struct RewardKitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rewardkit",
        abstract: "Compute, learn, use and evaluate reward signals for LLM post-training.",
        discussion: """
            Reward specs are YAML files listing reward components (see README.md).
            Input files are JSONL (one record per line), JSON arrays, or gzip of either; '-' is stdin/stdout.
            """,
        version: RewardKitVersion.string,
        subcommands: [
            ScoreCommand.self,
            VerifyCommand.self,
            EvalCommand.self,
            ModelsCommand.self,
            TokenizeCommand.self,
            GenerateCommand.self,
            RolloutCommand.self,
            LogprobCommand.self,
            BenchCommand.self,
            TrainCommand.self,
            ServeCommand.self,
            LabelCommand.self,
            SearchCommand.self,
        ]
    )
}

enum RewardKitVersion {
    static let string = "0.1.0"
}
