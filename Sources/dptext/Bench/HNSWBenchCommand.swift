import ArgumentParser
import DPText
import Foundation

struct HNSWBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hnsw",
        abstract: "How approximate (HNSW) decoding compares with exact decoding.",
        discussion: """
            Opens (or builds and caches) the HNSW graph of the store's vocabulary, then for each \
            search width --ef decodes the multivariate Laplace mechanism's noisy vectors at --epsilon \
            for a frequency-stratified sample of words and reports recall@1 against exhaustive \
            search, and the plausible-deniability statistic N_w (fraction of draws that return \
            the input word) with exact and with HNSW decoding: their means and the mean absolute \
            change per word. Seeded.
            """
    )

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: ArgumentHelp("ε of the Laplace noise.", valueName: "ε"))
    var epsilon = 10.0

    @Option(name: .long, parsing: .upToNextOption, help: "Search widths to compare.")
    var ef: [Int] = [64, MechanismOptions.defaultHNSWEf, 256]

    @Option(help: "Words sampled (frequency-stratified; 1–1000000).")
    var words = 200

    @Option(help: "Draws per word (1–100000000).")
    var draws = 500

    func validate() throws {
        try OptionRanges.requireEpsilon("--epsilon", epsilon)
        try OptionRanges.require("--words", words, in: OptionRanges.sampleWords)
        try OptionRanges.require("--draws", draws, in: OptionRanges.draws)
        for width in ef { try OptionRanges.require("--ef", width, in: 1...MechanismOptions.largestHNSWEf) }
    }

    func run() throws {
        try reportingFailures {
            let (vocabulary, _, path) = try storeOptions.loadVocabulary()
            let exact = ExactNeighborIndex(store: vocabulary)
            let fingerprint = try VocabularyFingerprint(store: vocabulary, storePath: path)
            let parameters = HNSWNeighborIndex.Parameters(insertionThreads: ProcessInfo.processInfo.activeProcessorCount)
            let cache = try storeOptions.cacheFolder()
            let (graph, seconds) = try timed {
                try cache.map { try HNSWNeighborIndex.cached(store: vocabulary, fingerprint: fingerprint,
                                                             parameters: parameters, cache: $0) }
                    ?? HNSWNeighborIndex(store: vocabulary, parameters: parameters)
            }
            print("store     \(path): \(vocabulary.count) vocabulary words; HNSW graph (M = \(graph.m), "
                  + "efConstruction = \(graph.efConstruction)) ready in \(fixed(seconds, digits: 2)) s, "
                  + "peak RSS \(megabytes(peakResidentBytes()))")
            let mechanism = try MultivariateLaplaceMechanism(epsilon: epsilon, store: vocabulary)
            let sample = DeniabilityStudy.sampleWords(vocabularySize: vocabulary.count, count: words, seed: 1)
            let exactNw = DeniabilityStudy.estimate(
                words: sample, draws: draws, privatizer: try Privatizer(mechanism: mechanism, decoder: exact), seed: 1)
            print("laplace ε = \(epsilon), \(sample.count) words × \(draws) draws")
            print("    ef   recall@1   mean N_w exact   mean N_w hnsw   mean |ΔN_w|")
            for width in ef {
                let decoder = graph.searching(width: width)
                let recall = DecoderRecall.measure(mechanism: mechanism, exact: exact, approximate: decoder,
                                                   words: sample, drawsPerWord: draws, seed: 1)
                let approximateNw = DeniabilityStudy.estimate(
                    words: sample, draws: draws, privatizer: try Privatizer(mechanism: mechanism, decoder: decoder), seed: 1)
                let meanExact = exactNw.map(\.survival).reduce(0, +) / Double(sample.count)
                let meanApproximate = approximateNw.map(\.survival).reduce(0, +) / Double(sample.count)
                let change = zip(exactNw, approximateNw).map { abs($0.survival - $1.survival) }.reduce(0, +)
                    / Double(sample.count)
                print(rightAligned("\(width)", 6) + rightAligned(fixed(recall.recall, digits: 4), 11)
                      + rightAligned(fixed(meanExact, digits: 4), 17) + rightAligned(fixed(meanApproximate, digits: 4), 16)
                      + rightAligned(fixed(change, digits: 4), 14))
            }
        }
    }
}
