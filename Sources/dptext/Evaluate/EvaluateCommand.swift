import ArgumentParser

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Measure mechanisms: plausible deniability, reconstruction attacks, an empirical privacy audit, and utility.",
        discussion: """
            Each subcommand writes CSV and JSON into --out, merging with what is already there \
            (a rerun replaces the rows of the same mechanism and ε). Tools/evaluate-study.sh runs \
            the whole study and draws the plots.
            """,
        subcommands: [DeniabilityCommand.self, AttackCommand.self, AuditCommand.self, WordUtilityCommand.self]
    )
}
