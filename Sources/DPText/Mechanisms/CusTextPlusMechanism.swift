/// CusText+ (Chen et al., Findings of ACL 2023; Mechanisms.md §6.5): CusText
/// that leaves stopwords alone.
///
/// The stopwords (`EnglishStopwords`, a public list of 318 words shipped
/// with dptext) are kept as they are and belong to no group; every other
/// word is privatized by CusText over a partition of the non-stopwords
/// (so a word is never replaced by a stopword).
///
/// **Guarantee: CusText's, for the words that are not stopwords** — plain
/// ε-DP among the words of one group, nothing across groups. Stopwords have
/// none: each passed-through stopword is counted as an unprotected token
/// (and falls under `--max-unprotected-fraction`).
///
/// Parameters: ε > 0; K ≥ 1, default 20.
public struct CusTextPlusMechanism: WordMechanism {
    let custext: CusTextMechanism
    /// How many vocabulary words are stopwords.
    public let stopwordCount: Int

    public init(epsilon: Double, groupSize: Int = Int(CusTextMechanism.Parameter.topK.defaultValue!),
                resources: VocabularyResources,
                stopwords: Set<String> = EnglishStopwords.words) throws {
        custext = try CusTextMechanism(epsilon: epsilon, groupSize: groupSize, resources: resources, excluded: stopwords)
        stopwordCount = resources.vocabulary.words.filter(stopwords.contains).count
    }

    public var epsilon: Double { custext.epsilon }
    public var name: String { Self.descriptor.name }
    public var parameters: [String: Double] { custext.parameters.merging(["stopwords": Double(stopwordCount)]) { $1 } }

    public var guarantee: PrivacyGuarantee {
        .partial(custext.guarantee, covered: "vocabulary words other than the \(stopwordCount) stopwords, and "
                    + "out-of-vocabulary words",
                 exposed: "the \(stopwordCount) stopwords (a public list of 318 English words), passed through unchanged")
    }

    public func claimedLoss(between a: Int, and b: Int, in store: EmbeddingStore) -> Double? {
        custext.claimedLoss(between: a, and: b, in: store)
    }

    public func draw<G: RandomNumberGenerator>(_ input: MechanismInput, using generator: inout G) -> Draw {
        custext.draw(input, using: &generator)  // a stopword has no group: CusText passes it through, unprotected
    }

    /// The exact output distribution for `input` (closed form).
    public func probabilities(_ input: MechanismInput) -> [Double] { custext.probabilities(input) }
}

extension CusTextPlusMechanism {
    public static let descriptor = MechanismDescriptor(
        name: "custext-plus", summary: "CusText with English stopwords passed through (unprotected)",
        guaranteeKind: "partial pure-within-groups", parameters: [CusTextMechanism.Parameter.topK], decodesPoints: false,
        epsilonGrid: .values([1, 3, 5, 7, 10, 12, 15]), cost: .tables
    ) { settings in
        try CusTextPlusMechanism(epsilon: settings.requiredEpsilon(),
                                 groupSize: settings.integer(CusTextMechanism.Parameter.topK)!, resources: settings.resources)
    }
}
