import ArgumentParser
import DPText
import Foundation

struct CacheCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache",
        abstract: "Check the caches dptext computed from a store.",
        subcommands: [CacheVerifyCommand.self, CacheExportCommand.self]
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

/// `dptext cache export`: the cache files a run with these options uses,
/// copied (built first when missing) into another folder signed with another
/// key — what a cluster's executors receive, so that they build nothing.
struct CacheExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the cache files a privatize run with these options uses into another folder.",
        discussion: """
            Sets the mechanism up as privatize would (reading your caches, building what is missing), \
            then writes every cache file it used into --to, signed with the key in --key (created, \
            mode 0600, when missing). The Spark job ships such a folder to its executors with a key \
            made for the job, never yours. Prints {"store": path, "files": [names]} as JSON.
            """
    )

    @OptionGroup(title: "Mechanism") var mechanismOptions: MechanismOptions
    @OptionGroup var storeOptions: StoreOptions

    @Option(help: ArgumentHelp("Out-of-vocabulary policy of the run (unk needs the stand-in's resources).",
                               valueName: "policy"))
    var oov: OOVPolicy = .unk

    @Option(help: ArgumentHelp("Folder to write the cache files into (created, mode 0700).", valueName: "folder"))
    var to: String

    @Option(help: ArgumentHelp("Key file that signs them (created, mode 0600, when missing).", valueName: "path"))
    var key: String

    func run() throws {
        try reportingFailures {
            let progress = CacheProgress()
            let (resources, _, path) = try storeOptions.loadResources(progress: progress)
            let rewriter = TextRewriter(store: resources.vocabulary, policy: oov)
            _ = try mechanismOptions.make(resources: resources, standIns: rewriter.standIns)
            _ = try mechanismOptions.makeDecoder(resources: resources)
            _ = mechanismOptions.makeShortcut(resources: resources)
            progress.finish()
            let destination = try CacheFolder(path: to, key: CacheKey.loadOrCreate(at: key))
            let files = try resources.export(to: destination)
            let json = try JSONSerialization.data(withJSONObject: ["store": path, "files": files],
                                                  options: [.sortedKeys, .withoutEscapingSlashes])
            print(String(decoding: json, as: UTF8.self))
        }
    }
}
