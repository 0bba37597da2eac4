import Foundation

/// One report for a run done in parts — a cluster job's partitions, each
/// privatized by its own `dptext privatize` — as if one process had done it:
/// counts summed, and everything that defines the run (mechanism,
/// parameters, guarantee, decoding, the store's digest, randomness, options)
/// required to be the same in every part.
public enum ReportMerge {
    /// Why parts cannot be merged.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case noParts
        /// `part` differs from the first part in `field`.
        case differs(field: String, part: String, first: String)

        public var description: String {
            switch self {
            case .noParts: return "no reports to merge"
            case .differs(let field, let part, let first):
                return "\(part): its \(field) differs from that of \(first); only parts of one run can be merged"
            }
        }
    }

    /// The merged private report. `seconds` is the longest part's (parts run side by side).
    public static func merge(_ parts: [(name: String, report: RunReport)]) throws(Failure) -> RunReport {
        guard var merged = parts.first?.report, let first = parts.first?.name else { throw .noParts }
        for (name, part) in parts.dropFirst() {
            try same(\.mechanism.name, \.mechanism.parameters, \.mechanism.guarantee, \.decoding, \.randomness,
                     \.format, \.oovPolicy, \.onError, in: part, as: merged, part: name, first: first)
            try same(\.embeddings.sha256, \.embeddings.words, \.embeddings.vocabularyWords, \.embeddings.dimension,
                     in: part, as: merged, part: name, first: first)
            merged.counts += part.counts
            merged.inputs += part.inputs
            merged.outputs += part.outputs
            merged.seconds = max(merged.seconds, part.seconds)
        }
        merged.mechanism.statistics = mergedStatistics(parts.map(\.report.mechanism.statistics))
        let guarantee = merged.mechanism.guarantee.definition
        merged.privacy = RunReport.Privacy(
            guarantee: guarantee, policy: OOVPolicy(rawValue: merged.oovPolicy) ?? .unk,
            onError: RecordErrorPolicy(rawValue: merged.onError) ?? .fail, seeded: merged.randomness.seeded,
            counts: merged.counts)
        return merged
    }

    /// The merged public report: output counts summed.
    public static func merge(_ parts: [(name: String, report: PublicRunReport)]) throws(Failure) -> PublicRunReport {
        guard var merged = parts.first?.report, let first = parts.first?.name else { throw .noParts }
        for (name, part) in parts.dropFirst() {
            try same(\.mechanism, \.decoding, \.randomness, \.format, \.oovPolicy, \.onError, \.privacy,
                     in: part, as: merged, part: name, first: first)
            try same(\.embeddings.sha256, \.embeddings.words, \.embeddings.vocabularyWords, \.embeddings.dimension,
                     in: part, as: merged, part: name, first: first)
            merged.output += part.output
        }
        return merged
    }

    /// Throws for the first of `fields` in which `part` differs from `reference`.
    private static func same<Report, each Value: Equatable>(
        _ fields: repeat KeyPath<Report, each Value>, in part: Report, as reference: Report, part name: String,
        first: String
    ) throws(Failure) {
        for field in repeat each fields {
            guard part[keyPath: field] == reference[keyPath: field] else {
                throw .differs(field: fieldName(field), part: name, first: first)
            }
        }
    }

    private static func fieldName(_ path: AnyKeyPath) -> String {
        String(describing: path).split(separator: ".").dropFirst().joined(separator: ".")
    }

    /// Rates weighted by the parts' `chains` when every part has them; else none.
    private static func mergedStatistics(_ parts: [[String: Double]]) -> [String: Double] {
        guard parts.allSatisfy({ $0["chains"] != nil }) else { return [:] }
        let chains = parts.reduce(0) { $0 + $1["chains"]! }
        var merged = ["chains": chains]
        for key in Set(parts.flatMap(\.keys)).subtracting(["chains"]) where parts.allSatisfy({ $0[key] != nil }) {
            merged[key] = chains == 0 ? 0 : parts.reduce(0) { $0 + $1[key]! * $1["chains"]! } / chains
        }
        return merged
    }
}
