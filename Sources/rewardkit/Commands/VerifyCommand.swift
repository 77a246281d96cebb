import ArgumentParser

/// `rewardkit verify <kind>`: answer verifiers run directly on (gold, pred) pairs.
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check answers with verifiers.",
        subcommands: [VerifyMathCommand.self, VerifyCodeCommand.self, VerifySQLCommand.self]
    )
}
