import Foundation

/// What a privatization run did and what it guarantees, written as JSON
/// with `--report`. Everything needed to interpret the output's privacy is
/// here: the mechanism and its parameters, its guarantee as data, exactly
/// which embeddings (ε is in their units), whether the noise was seeded,
/// and what was not protected.
public struct RunReport: Codable, Sendable {
    public struct Mechanism: Codable, Sendable {
        public var name: String
        public var parameters: [String: Double]
        public var guarantee: Guarantee
        /// Figures the mechanism gathered during the run (e.g. `acceptance_rate`).
        public var statistics: [String: Double]

        public init(_ mechanism: any WordMechanism) {
            name = mechanism.name
            parameters = mechanism.parameters
            guarantee = Guarantee(mechanism.guarantee)
            statistics = mechanism.statistics
        }
    }

    /// How noisy vectors were decoded to words.
    public struct Decoding: Codable, Sendable {
        /// `exact` (exhaustive search) or `hnsw` (approximate).
        public var search: String
        public var parameters: [String: Double]
        public var note: String

        public init(_ decoder: any NeighborIndex) {
            if let hnsw = decoder as? HNSWNeighborIndex {
                search = "hnsw"
                parameters = ["m": Double(hnsw.m), "ef_construction": Double(hnsw.efConstruction),
                              "ef_search": Double(hnsw.efSearch)]
                note = "approximate nearest-neighbour decoding (hnswlib): post-processing, so the guarantee is "
                    + "unchanged, but outputs differ from exact decoding and deniability statistics (N_w, S_w) "
                    + "measured with exact search do not apply exactly"
            } else {
                search = decoder.isExact ? "exact" : "approximate"
                parameters = [:]
                note = decoder.isExact ? "exhaustive search: every noisy vector becomes its nearest vocabulary word"
                    : "approximate nearest-neighbour decoding"
            }
        }
    }

    public struct Guarantee: Codable, Sendable {
        /// `none`, `pure-metric`, `approximate-metric` or `unverified`.
        public var kind: String
        public var epsilon: Double?
        public var delta: Double?
        public var statement: String
    }

    public struct Embeddings: Codable, Sendable {
        public var path: String
        public var sha256: String
        /// Words in the store as opened (after `--vocab-limit`).
        public var words: Int
        /// The single-word entries among them: the mechanism's vocabulary.
        public var vocabularyWords: Int
        public var dimension: Int
        public var vocabLimit: Int?

        public init(path: String, sha256: String, storeWords: Int, vocabulary: EmbeddingStore, vocabLimit: Int?) {
            self.path = path
            self.sha256 = sha256
            self.words = storeWords
            self.vocabularyWords = vocabulary.count
            self.dimension = vocabulary.dimension
            self.vocabLimit = vocabLimit
        }
    }

    public struct Randomness: Codable, Sendable {
        public var seeded: Bool
        public var source: String

        public init(_ noise: NoiseSource) {
            seeded = noise.isSeeded
            source = noise.isSeeded
                ? "seeded xoshiro256** (reproducible; anyone with the seed can recompute the noise)"
                : "system CSPRNG (SystemRandomNumberGenerator)"
        }
    }

    public struct Privacy: Codable, Sendable {
        public var perToken: String
        public var document: String
        public var protected: [String]
        public var notProtected: [String]
        /// `RewriteCounts.unprotectedFraction` of the whole run.
        public var unprotectedFraction: Double
    }

    public var tool = "dptext"
    public var mechanism: Mechanism
    public var decoding: Decoding
    public var embeddings: Embeddings
    public var randomness: Randomness
    public var format: String
    public var oovPolicy: String
    public var inputs: [String]
    public var outputs: [String]
    public var counts: RewriteCounts
    public var privacy: Privacy
    public var seconds: Double

    public init(
        mechanism: any WordMechanism, decoder: any NeighborIndex, embeddings: Embeddings, noise: NoiseSource,
        format: String, oovPolicy: OOVPolicy, inputs: [String], outputs: [String], counts: RewriteCounts,
        seconds: Double
    ) {
        self.mechanism = Mechanism(mechanism)
        self.decoding = Decoding(decoder)
        self.embeddings = embeddings
        self.randomness = Randomness(noise)
        self.format = format
        self.oovPolicy = oovPolicy.rawValue
        self.inputs = inputs
        self.outputs = outputs
        self.counts = counts
        self.privacy = Privacy(guarantee: mechanism.guarantee, policy: oovPolicy, counts: counts, seeded: noise.isSeeded)
        self.seconds = seconds
    }

    /// Writes the report as pretty, key-sorted JSON (atomically).
    public func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        try encoder.encode(self).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}

extension RunReport.Guarantee {
    public init(_ guarantee: PrivacyGuarantee) {
        kind = guarantee.kind
        statement = guarantee.statement
        switch guarantee {
        case .none: break
        case .pureMetric(let epsilon): self.epsilon = epsilon
        case .approximateMetric(let epsilon, let delta): (self.epsilon, self.delta) = (epsilon, delta)
        case .unverified(let epsilon, _): self.epsilon = epsilon
        }
        if case .unverified = guarantee { kind = "unverified (see audit)" }
    }
}

extension RunReport.Privacy {
    /// The document-level statement of MECHANISMS.md §7 for a run.
    public init(guarantee: PrivacyGuarantee, policy: OOVPolicy, counts: RewriteCounts, seeded: Bool) {
        perToken = guarantee.statement
        document = """
            Tokens are privatized independently, so for two texts of equal length the bound adds up over \
            positions: P[M(x) = y] ≤ exp(ε·Σᵢ d(xᵢ, x'ᵢ))·P[M(x') = y]. Privatizing the same text again with \
            fresh noise spends the budget again.
            """
        protected = ["the identity of every vocabulary word, within the per-token bound"]
        notProtected = [
            "text length, line structure, and the position of every word",
            "all bytes that are not words: whitespace, punctuation, symbols, emoji, and the separators inside numbers",
            "each word's casing pattern (lower, Title, UPPER)",
        ]
        switch policy {
        case .unk:
            protected.append("out-of-vocabulary words (\(counts.oovUnk)), privatized as one fixed public vector")
        case .mask:
            notProtected.append("where out-of-vocabulary words stood (\(counts.oovMasked) masked)")
        case .drop:
            notProtected.append("where out-of-vocabulary words stood (\(counts.oovDropped) dropped)")
        case .keep:
            notProtected.append("out-of-vocabulary words, passed through unchanged (\(counts.oovKept) tokens)")
        }
        if counts.undecodableRuns > 0 {
            notProtected.append("bytes that are not valid UTF-8, passed through unchanged (\(counts.undecodableRuns) runs)")
        }
        if counts.skippedRecords > 0 {
            notProtected.append("records that could not be processed, written unchanged (\(counts.skippedRecords) records, "
                                + "\(counts.skippedWords) words; lines in counts.skipped)")
        }
        unprotectedFraction = counts.unprotectedFraction
        if seeded {
            notProtected.append("everything, from anyone who knows the seed: a seeded run is reproducible, not private")
        }
        if guarantee == .none {
            notProtected.insert("every word: the identity mechanism does not randomize", at: 0)
        }
    }
}
