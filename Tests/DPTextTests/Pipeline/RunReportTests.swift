import Foundation
import Testing
@testable import DPText

/// The run report never claims more than the mechanism's guarantee, says
/// that it is computed from the private input, and has a public variant.
@Suite("Run report: privacy statement per guarantee kind")
struct RunReportTests {
    typealias Privacy = RunReport.Privacy

    static func privacy(_ guarantee: PrivacyGuarantee, policy: OOVPolicy = .unk, seeded: Bool = false,
                        counts: RewriteCounts? = RewriteCounts()) -> Privacy {
        Privacy(guarantee: guarantee, policy: policy, onError: .fail, seeded: seeded, counts: counts)
    }

    static let commonExposures = ["text length", "all bytes that are not words", "casing class"]

    @Test("none (identity): nothing is protected, OOV words are kept, no document bound")
    func none() {
        let privacy = Self.privacy(.none)
        #expect(privacy.protected.isEmpty)
        #expect(privacy.notProtected[0].hasPrefix("every word: the identity mechanism does not randomize"))
        #expect(privacy.notProtected.contains { $0.hasPrefix("out-of-vocabulary words (0 tokens), kept as written") })
        #expect(privacy.document.hasPrefix("None"))
        #expect(!privacy.document.contains("exp("))
        for exposure in Self.commonExposures { #expect(privacy.notProtected.contains { $0.contains(exposure) }) }
    }

    @Test("pure ε·d: word identity and the OOV stand-in protected; ε adds up over positions")
    func pureMetric() {
        var counts = RewriteCounts()
        counts.oovUnk = 3
        let privacy = Self.privacy(.pureMetric(epsilon: 10), counts: counts)
        #expect(privacy.protected == [
            "the identity of every vocabulary word, within the per-token ε·d bound",
            "out-of-vocabulary words (3 tokens), privatized as one fixed public vector: as if all unknown words were one word",
        ])
        #expect(privacy.document.contains("P[M(x) = y] ≤ exp(ε·Σᵢ d(xᵢ, x'ᵢ))·P[M(x') = y]"))
        #expect(!privacy.document.contains("δ"))
        #expect(privacy.perToken == PrivacyGuarantee.pureMetric(epsilon: 10).statement)
        for exposure in Self.commonExposures { #expect(privacy.notProtected.contains { $0.contains(exposure) }) }
    }

    @Test("(ε·d, δ): the document bound carries Σδ = L·δ and says where it stops meaning anything")
    func approximateMetric() {
        let privacy = Self.privacy(.approximateMetric(epsilon: 10, delta: 1.25e-5))
        #expect(privacy.protected.first == "the identity of every vocabulary word, within the per-token (ε·d, δ) bound")
        #expect(privacy.document.contains("(1 + exp(ε·Σᵢ d(xᵢ, x'ᵢ)))·L·δ"))
        #expect(privacy.document.contains("Σδ = L·δ"))
        #expect(privacy.document.contains("beyond 80000 tokens"), "\(privacy.document)")
        #expect(PrivacyGuarantee.tokensUntilVoid(0.3) == "4" && PrivacyGuarantee.tokensUntilVoid(1e-20) == "1e+20")
    }

    @Test("unverified: nothing is protected and the reason is named")
    func unverified() {
        let privacy = Self.privacy(.unverified(claimedEpsilon: 80, reason: "the candidate set depends on the input"))
        #expect(privacy.protected.isEmpty)
        #expect(privacy.notProtected[0] == "the identity of every word: the claimed bound is unverified "
                + "(the candidate set depends on the input)")
        #expect(privacy.notProtected.contains { $0.hasPrefix("out-of-vocabulary words (0 tokens), privatized as one fixed "
                                                             + "public vector under the same unproven bound") })
        #expect(privacy.document.hasPrefix("None proven"))
    }

    @Test("within groups, Mahalanobis and partial guarantees say what they cover and what they do not")
    func otherKinds() {
        let groups = Self.privacy(.pureWithinGroups(epsilon: 3, groupSize: 20))
        #expect(groups.protected.first == "which word of its group each vocabulary word is, within the per-token ε bound")
        #expect(groups.notProtected[0].hasPrefix("which group each word belongs to"))
        #expect(groups.document.contains("exp(ε·k)") && groups.document.contains("in different groups"))
        let mahalanobis = Self.privacy(.pureMahalanobis(epsilon: 10, lambda: 0.2, euclideanEpsilon: 11.2))
        #expect(mahalanobis.protected.first!.contains("ε·d_M") && mahalanobis.document.contains("d_M(xᵢ, x'ᵢ)"))
        #expect(PrivacyGuarantee.pureMahalanobis(epsilon: 10, lambda: 0.2, euclideanEpsilon: 11.2).statement.contains("ε' = 11.2"))
        var counts = RewriteCounts()
        counts.keptByMechanism = 12
        let partial = Self.privacy(.partial(.pureMetric(epsilon: 4), covered: "the rare words", exposed: "the frequent words"),
                                   counts: counts)
        #expect(partial.protected.first == "for the rare words: the identity of every vocabulary word, within the per-token ε·d bound")
        #expect(partial.notProtected[0] == "the frequent words (12 tokens passed through)")
        #expect(partial.document.hasSuffix("protected only where the two texts agree."))
        let guarantee = PrivacyGuarantee.partial(.pureWithinGroups(epsilon: 2, groupSize: 5), covered: "a", exposed: "b")
        #expect(guarantee.kind == "partial pure-within-groups" && guarantee.epsilon == 2 && guarantee.base.kind == "pure-within-groups")
        #expect(RunReport.Guarantee(.partial(.unverified(claimedEpsilon: 1, reason: "r"), covered: "a", exposed: "b")).kind
                == "partial unverified (see audit)")
    }

    @Test("OOV policies, seeds and counted leaks are listed as not protected")
    func exposures() {
        var counts = RewriteCounts()
        (counts.oovKept, counts.undecodableRuns, counts.skippedRecords, counts.skippedWords) = (4, 2, 1, 9)
        let keep = Self.privacy(.pureMetric(epsilon: 1), policy: .keep, seeded: true, counts: counts)
        #expect(keep.protected.count == 1)
        #expect(keep.notProtected.contains("out-of-vocabulary words, passed through unchanged (4 tokens)"))
        #expect(keep.notProtected.contains("bytes that are not valid UTF-8, passed through unchanged (2 runs)"))
        #expect(keep.notProtected.contains { $0.hasPrefix("records that could not be processed, written unchanged (1 records, 9 words") })
        #expect(keep.notProtected.last!.hasPrefix("everything, from anyone who knows the seed"))
        #expect(keep.unprotectedFraction == counts.unprotectedFraction)
        #expect(Self.privacy(.pureMetric(epsilon: 1), policy: .mask).notProtected.contains("where out-of-vocabulary words stood (0 masked)"))
        #expect(Self.privacy(.pureMetric(epsilon: 1), policy: .drop).notProtected.contains("where out-of-vocabulary words stood (0 dropped)"))
    }

    @Test("without counts (the public report) no entry depends on the input")
    func publicPrivacy() {
        let privacy = Privacy(guarantee: .pureMetric(epsilon: 2), policy: .keep, onError: .skip, seeded: false, counts: nil)
        #expect(privacy.unprotectedFraction == nil)
        #expect(privacy.notProtected.contains("out-of-vocabulary words, passed through unchanged"))
        #expect(privacy.notProtected.contains("bytes that are not valid UTF-8, passed through unchanged"))
        #expect(privacy.notProtected.contains("records that could not be processed (the on-error policy skip), written unchanged"))
        #expect((privacy.protected + privacy.notProtected).allSatisfy { $0.range(of: #"\(\d"#, options: .regularExpression) == nil })
    }

    @Test("the report says it is computed from the private input; the public one carries no input figures")
    func notices() throws {
        let store = TestData.randomStore(count: 20, dimension: 3, seed: 1)
        let mechanism = try MultivariateLaplaceMechanism(epsilon: 1, store: store)
        let embeddings = RunReport.Embeddings(path: "/secret/folder/store.h5", sha256: "ab", storeWords: 20,
                                              vocabulary: store, vocabLimit: nil)
        let index = ExactNeighborIndex(store: store)
        let report = RunReport(mechanism: mechanism, decoder: index, embeddings: embeddings, noise: .system,
                               format: "text", oovPolicy: .unk, inputs: ["in.txt"], outputs: ["out.txt"],
                               counts: RewriteCounts(), seconds: 1)
        #expect(report.notice.hasPrefix("This report is computed from the private input and is not privatized"))
        var output = OutputCounts()
        (output.records, output.words, output.bytes) = (2, 5, 30)
        let published = PublicRunReport(mechanism: mechanism, decoder: index, embeddings: embeddings, noise: .system,
                                         format: "text", oovPolicy: .unk, onError: .fail, output: output)
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let json = try JSONSerialization.jsonObject(with: encoder.encode(published)) as! [String: Any]
        #expect(Set(json.keys) == ["notice", "tool", "mechanism", "decoding", "embeddings", "randomness", "format",
                                   "oov_policy", "on_error", "output", "privacy"])
        #expect((json["embeddings"] as! [String: Any])["file"] as? String == "store.h5")
        #expect((json["mechanism"] as! [String: Any])["statistics"] == nil)
        #expect((json["privacy"] as! [String: Any])["unprotected_fraction"] == nil)
        #expect((json["notice"] as! String).hasPrefix("This report depends only on public data"))
    }

    @Test("reports of a run's parts merge into the report of the whole; parts of different runs do not")
    func merging() throws {
        let store = PipelineTests.store
        let mechanism = try MultivariateLaplaceMechanism(epsilon: 10, store: store)
        let text = Array(try Data(contentsOf: TestData.repository.appendingPathComponent("Corpora/mixed-layout.txt")))
        let lines = text.split(separator: 0x0A, omittingEmptySubsequences: false)
        let halves = [Array(lines[..<90].joined(separator: [0x0A])) + [0x0A], Array(lines[90...].joined(separator: [0x0A]))]
        let pipeline = try PipelineTests.pipeline(mechanism, policy: .keep)
        func report(_ bytes: [UInt8], _ name: String, _ mechanism: any WordMechanism = mechanism) throws -> RunReport {
            let counts = try PipelineTests.run(pipeline, bytes).counts
            return RunReport(mechanism: mechanism, decoder: PipelineTests.index,
                             embeddings: .init(path: "s.h5", sha256: "ab", storeWords: store.count, vocabulary: store,
                                               vocabLimit: nil),
                             noise: .seeded(1), format: "text", oovPolicy: .keep, inputs: [name], outputs: [name + ".out"],
                             counts: counts, seconds: 1)
        }
        let whole = try report(text, "all")
        let merged = try ReportMerge.merge([("a.json", try report(halves[0], "a")), ("b.json", try report(halves[1], "b"))])
        // Which words changed depends on the streams (positional here); everything else adds up exactly.
        var wholeCounts = whole.counts, mergedCounts = merged.counts
        for counts in [\RewriteCounts.replaced, \.unchanged] as [WritableKeyPath<RewriteCounts, Int>] {
            (wholeCounts[keyPath: counts], mergedCounts[keyPath: counts]) = (0, 0)
        }
        #expect(mergedCounts == wholeCounts && merged.counts.oovKept > 0 && merged.counts.records == 181)
        #expect(merged.counts.replaced + merged.counts.unchanged == whole.counts.inVocabulary)
        #expect(merged.privacy.notProtected == whole.privacy.notProtected && merged.inputs == ["a", "b"])
        let other = try report(halves[1], "b", try MultivariateLaplaceMechanism(epsilon: 11, store: store))
        #expect(throws: ReportMerge.Failure.differs(field: "mechanism.parameters", part: "c.json", first: "a.json")) {
            try ReportMerge.merge([("a.json", try report(halves[0], "a")), ("c.json", other)])
        }
        // JSON round trip keeps the guarantee as data, so a written report can be merged.
        let encoder = JSONEncoder(), decoder = JSONDecoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let decoded = try decoder.decode(RunReport.self, from: encoder.encode(merged))
        #expect(decoded.mechanism == merged.mechanism && decoded.privacy == merged.privacy)
    }

    @Test("counting what was written: lines, words across writes, bytes")
    func outputCounts() throws {
        let memory = MemoryOutputSink()
        let sink = CountingSink(memory)
        for piece in ["Hello wor", "ld, well-kn", "own\r\nsecond line\n", "", "last wo", "rd"] {
            try sink.write(Array(piece.utf8))
        }
        try sink.finish()
        #expect(sink.counts.records == 3 && sink.counts.bytes == memory.bytes.count)
        #expect(sink.counts.words == memory.bytes.withUnsafeBufferPointer { WordTokenizer.spans(in: $0).count })
        #expect(sink.counts.words == 7 && memory.finished)
    }
}
