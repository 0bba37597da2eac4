import Foundation

/// What a privatization run did and what it guarantees, written as JSON
/// with `--report`. Everything needed to interpret the output's privacy is
/// here: the mechanism and its parameters, its guarantee as data, exactly
/// which embeddings (ε is in their units), whether the noise was seeded,
/// and what was not protected.
public struct RunReport: Codable, Sendable {
    public struct Mechanism: Codable, Sendable, Equatable {
        public var name: String
        public var parameters: [String: Double]
        public var guarantee: Guarantee
        /// Figures the mechanism gathered during the run (e.g. `acceptance_rate`).
        public var statistics: [String: Double]
        /// The post-processing steps that followed the mechanism (absent when none).
        public var postProcessing: [String]?

        public init(_ mechanism: any WordMechanism) {
            name = mechanism.name
            parameters = mechanism.parameters
            guarantee = Guarantee(mechanism.guarantee)
            statistics = mechanism.statistics
            postProcessing = mechanism.postProcessing.isEmpty ? nil : mechanism.postProcessing
        }
    }

    /// How noisy vectors were decoded to words.
    public struct Decoding: Codable, Sendable, Equatable {
        /// `exact` (exhaustive search) or `hnsw` (approximate).
        public var search: String
        public var parameters: [String: Double]
        public var note: String

        public init(_ decoder: any NeighborIndex) {
            let description = decoder.searchDescription
            (search, parameters, note) = (description.name, description.parameters, description.note)
        }
    }

    public struct Guarantee: Codable, Sendable, Equatable {
        /// `none`, `pure-metric`, `approximate-metric` or `unverified`.
        public var kind: String
        public var epsilon: Double?
        public var delta: Double?
        public var statement: String
        /// The guarantee itself, as data (what `kind`, `epsilon` and `delta` summarize).
        public var definition: PrivacyGuarantee
    }

    public struct Embeddings: Codable, Sendable, Equatable {
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

    public struct Randomness: Codable, Sendable, Equatable {
        public var seeded: Bool
        public var source: String
        /// How each record's stream is chosen.
        public var streams: String

        /// - Parameter field: the JSONL field privatized (nil for text).
        public init(_ noise: NoiseSource, recordKey: String? = nil, field: String? = nil) {
            seeded = noise.isSeeded
            source = noise.isSeeded
                ? "seeded xoshiro256** (reproducible; anyone with the seed can recompute the noise)"
                : "system CSPRNG (OpenSSL RAND_bytes: a CTR-DRBG seeded from the kernel)"
            func quoted(_ name: String) -> String { String(decoding: JSONString.encode(name), as: UTF8.self) }
            let ofField = field.map { " and the privatized field's name \(quoted($0)), so that runs over other fields "
                + "of the same records draw independent noise" } ?? ""
            switch (noise.isSeeded, recordKey) {
            case (true, let key?):
                streams = "one stream per record, derived (SHA-256) from the seed, the record's key field \(quoted(key))"
                    + ofField + ": independent of the record's file and position; keys checked unique"
            case (true, nil):
                streams = "one stream per record, derived from the seed, the input's number and the record's line"
                    + ofField
            case (false, let key?):
                streams = "fresh draws for every record; record keys (field \(quoted(key))) checked unique"
            case (false, nil):
                streams = "fresh draws for every record"
            }
        }
    }

    public struct Privacy: Codable, Sendable, Equatable {
        public var perToken: String
        public var document: String
        public var protected: [String]
        public var notProtected: [String]
        /// `RewriteCounts.unprotectedFraction` of the whole run (nil in a
        /// public report: it is computed from the input).
        public var unprotectedFraction: Double?
    }

    /// What the report is, and who may see it.
    public static let notice = """
        This report is computed from the private input and is not privatized: its counts (for example \
        replaced: 0 on a short input, which shows the output equals the input), its statistics and its \
        timing reveal facts about the input. Keep it with the private data; do not publish it with the \
        output. --report-public writes a report that depends only on public data and the output.
        """

    public var notice = RunReport.notice
    public var tool = "dptext"
    public var mechanism: Mechanism
    public var decoding: Decoding
    public var embeddings: Embeddings
    public var randomness: Randomness
    public var format: String
    public var oovPolicy: String
    public var onError: String
    public var inputs: [String]
    public var outputs: [String]
    public var counts: RewriteCounts
    public var privacy: Privacy
    public var seconds: Double

    public init(
        mechanism: any WordMechanism, decoder: any NeighborIndex, embeddings: Embeddings, noise: NoiseSource,
        recordKey: String? = nil, field: String? = nil, format: String, oovPolicy: OOVPolicy,
        onError: RecordErrorPolicy = .fail, inputs: [String],
        outputs: [String], counts: RewriteCounts, seconds: Double
    ) {
        self.mechanism = Mechanism(mechanism)
        self.decoding = Decoding(decoder)
        self.embeddings = embeddings
        self.randomness = Randomness(noise, recordKey: recordKey, field: field)
        self.format = format
        self.oovPolicy = oovPolicy.rawValue
        self.onError = onError.rawValue
        self.inputs = inputs
        self.outputs = outputs
        self.counts = counts
        self.privacy = Privacy(guarantee: mechanism.guarantee, policy: oovPolicy, onError: onError,
                               seeded: noise.isSeeded, counts: counts)
        self.seconds = seconds
    }

    /// The report as pretty, key-sorted JSON.
    public var json: [UInt8] { reportJSON(self) }

    /// Writes the report as pretty, key-sorted JSON (a file atomically, a device in place).
    public func write(to path: String) throws(PipelineError) {
        try writeReportJSON(self, to: path)
    }
}

/// The part of a run report that can be published with the output
/// (`--report-public`): everything in it depends only on public data — the
/// mechanism, its parameters and guarantee, the store's digest, the options —
/// and on the output itself. No input counts, statistics, timing or input
/// names.
public struct PublicRunReport: Codable, Sendable {
    public struct Mechanism: Codable, Sendable, Equatable {
        public var name: String
        public var parameters: [String: Double]
        public var guarantee: RunReport.Guarantee
        /// The post-processing steps that followed the mechanism (absent when none).
        public var postProcessing: [String]?
    }

    public struct Embeddings: Codable, Sendable, Equatable {
        /// The store's file name (not its path on this machine).
        public var file: String
        public var sha256: String
        public var words: Int
        public var vocabularyWords: Int
        public var dimension: Int
        public var vocabLimit: Int?
    }

    public static let notice = """
        This report depends only on public data (the mechanism, its parameters and guarantee, the \
        embeddings' digest, the options) and on the output; it can be published with the output.
        """

    public var notice = PublicRunReport.notice
    public var tool = "dptext"
    public var mechanism: Mechanism
    public var decoding: RunReport.Decoding
    public var embeddings: Embeddings
    public var randomness: RunReport.Randomness
    public var format: String
    public var oovPolicy: String
    public var onError: String
    /// Counted on the bytes written: records, words (as the tokenizer finds them in the output) and bytes.
    public var output: OutputCounts
    public var privacy: RunReport.Privacy

    public init(
        mechanism: any WordMechanism, decoder: any NeighborIndex, embeddings: RunReport.Embeddings,
        noise: NoiseSource, recordKey: String? = nil, field: String? = nil, format: String, oovPolicy: OOVPolicy,
        onError: RecordErrorPolicy,
        output: OutputCounts
    ) {
        self.mechanism = Mechanism(name: mechanism.name, parameters: mechanism.parameters,
                                   guarantee: RunReport.Guarantee(mechanism.guarantee),
                                   postProcessing: mechanism.postProcessing.isEmpty ? nil : mechanism.postProcessing)
        decoding = RunReport.Decoding(decoder)
        self.embeddings = Embeddings(
            file: (embeddings.path as NSString).lastPathComponent, sha256: embeddings.sha256, words: embeddings.words,
            vocabularyWords: embeddings.vocabularyWords, dimension: embeddings.dimension,
            vocabLimit: embeddings.vocabLimit)
        randomness = RunReport.Randomness(noise, recordKey: recordKey, field: field)
        self.format = format
        self.oovPolicy = oovPolicy.rawValue
        self.onError = onError.rawValue
        self.output = output
        privacy = RunReport.Privacy(guarantee: mechanism.guarantee, policy: oovPolicy, onError: onError,
                                    seeded: noise.isSeeded, counts: nil)
    }

    /// The report as pretty, key-sorted JSON.
    public var json: [UInt8] { reportJSON(self) }

    public func write(to path: String) throws(PipelineError) {
        try writeReportJSON(self, to: path)
    }
}

/// Pretty, key-sorted, snake-case JSON with a final newline.
func reportJSON(_ report: some Encodable) -> [UInt8] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.keyEncodingStrategy = .convertToSnakeCase
    // Reports hold only strings, numbers and containers of them: encoding cannot fail.
    return Array(try! encoder.encode(report)) + [0x0A]
}

/// Writes `report` to `path` as an output is written (`outputSink`): a file
/// atomically, a device or FIFO in place.
func writeReportJSON(_ report: some Encodable, to path: String) throws(PipelineError) {
    let sink = try outputSink(path: path)
    do {
        try sink.write(reportJSON(report))
        try sink.finish()
    } catch {
        sink.abandon()
        throw error
    }
}

extension RunReport.Guarantee {
    public init(_ guarantee: PrivacyGuarantee) {
        kind = guarantee.kind
        statement = guarantee.statement
        definition = guarantee
        epsilon = guarantee.epsilon
        if case .approximateMetric = guarantee.base { delta = guarantee.delta }
        if case .unverified = guarantee.base { kind += " (see audit)" }
    }
}

extension RunReport.Privacy {
    /// The privacy statement of a run, derived from the guarantee's kind
    /// (Mechanisms.md §7): it never claims more than the guarantee. With
    /// `counts` (the private report) it names how many tokens each entry
    /// concerns; without (the public report) it lists only what follows from
    /// the options.
    public init(guarantee: PrivacyGuarantee, policy: OOVPolicy, onError: RecordErrorPolicy, seeded: Bool,
                counts: RewriteCounts?) {
        func count(_ value: (RewriteCounts) -> Int, _ label: String) -> String {
            counts.map { " (\(value($0)) \(label))" } ?? ""
        }
        perToken = guarantee.statement
        let randomizes = guarantee.base != .none
        let prose = guarantee.documentProse(passedThrough: count(\.keptByMechanism, "tokens passed through"))
        (document, protected, notProtected) = (prose.document, prose.protected, prose.notProtected)
        switch policy {
        case .unk where randomizes && !protected.isEmpty:
            protected.append("out-of-vocabulary words\(count(\.oovUnk, "tokens")), privatized as one fixed public "
                             + "vector: as if all unknown words were one word")
        case .unk where randomizes:
            notProtected.append("out-of-vocabulary words\(count(\.oovUnk, "tokens")), privatized as one fixed "
                                + "public vector under the same unproven bound")
        case .unk:
            notProtected.append("out-of-vocabulary words\(count(\.oovUnk, "tokens")), kept as written")
        case .mask:
            notProtected.append("where out-of-vocabulary words stood\(count(\.oovMasked, "masked"))")
        case .drop:
            notProtected.append("where out-of-vocabulary words stood\(count(\.oovDropped, "dropped"))")
        case .keep:
            notProtected.append("out-of-vocabulary words, passed through unchanged\(count(\.oovKept, "tokens"))")
        }
        if let counts {
            if counts.undecodableRuns > 0 {
                notProtected.append("bytes that are not valid UTF-8, passed through unchanged (\(counts.undecodableRuns) runs)")
            }
            if counts.skippedRecords > 0 {
                notProtected.append("records that could not be processed, written unchanged (\(counts.skippedRecords) "
                                    + "records, \(counts.skippedWords) words; lines in counts.skipped)")
            }
        } else {
            notProtected.append("bytes that are not valid UTF-8, passed through unchanged")
            if onError == .skip {
                notProtected.append("records that could not be processed (the on-error policy skip), written unchanged")
            }
        }
        unprotectedFraction = counts?.unprotectedFraction
        if seeded {
            notProtected.append("everything, from anyone who knows the seed: a seeded run is reproducible, not private")
        }
    }
}
