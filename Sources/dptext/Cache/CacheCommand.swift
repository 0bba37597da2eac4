import ArgumentParser
import DPText
import Foundation

struct CacheCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache",
        abstract: "Check the caches dptext computed from a store.",
        subcommands: [CacheVerifyCommand.self]
    )
}

/// `dptext cache verify`: every cache file of the store's vocabulary
/// computed again and compared byte for byte.
struct CacheVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Recompute every cache file of a store and report any difference.",
        discussion: """
            dptext uses a cache file only when its signature shows that your dptext wrote it. This \
            goes further: each file made from the store is computed again and compared byte for \
            byte; files signed by someone else (or damaged), which dptext would never use, are \
            listed as rejected. Status 65 when a signed file differs from what the store gives.
            """
    )

    @OptionGroup var storeOptions: StoreOptions

    func run() throws {
        try reportingFailures {
            guard let cache = try storeOptions.cacheFolder() else {
                throw Failure(message: "no key to check signatures with; see the warning above.", status: ExitStatus.cannotCreate)
            }
            let (vocabulary, _, path) = try storeOptions.loadVocabulary()
            // Everything recomputed in memory: nothing read from the folder being judged.
            let resources = VocabularyResources(vocabulary: vocabulary)
            let findings = try CacheVerification.verify(
                cache: cache,
                resources: resources, storePath: path, excludedWordSets: [EnglishStopwords.words])
            print("cache folder \(cache.path), store \(path) (\(vocabulary.count) vocabulary words)")
            for finding in findings { print("  \(finding.name): \(Self.describe(finding.verdict))") }
            let problems = findings.filter(\.verdict.isProblem).count
            print(problems == 0 ? "no signed file differs from what the store gives"
                  : "\(problems) signed files differ from what the store gives: delete them (dptext rebuilds them)")
            if problems > 0 { throw ExitCode(ExitStatus.dataError) }
        }
    }

    static func describe(_ verdict: CacheVerification.Verdict) -> String {
        switch verdict {
        case .matches: return "ok (signed, equal to the recomputed file)"
        case .differs(let how): return "DIFFERS: \(how)"
        case .rejected(let why): return "rejected, never used: \(why)"
        case .signedOnly(let what): return "signed: \(what)"
        case .otherVocabulary: return "made from another store or vocabulary (not checked)"
        case .unknown: return "not a dptext cache file"
        }
    }
}
