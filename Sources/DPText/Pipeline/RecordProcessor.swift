/// Privatizes a batch of records: the unit of work one thread does.
///
/// A record's output depends only on its content and its generator (stream
/// `(input, record)` of the noise source), so splitting a chunk into any
/// number of batches gives the same bytes.
struct RecordProcessor: Sendable {
    let rewriter: TextRewriter
    let privatizer: Privatizer
    let noise: NoiseSource
    let format: RecordFormat
    let onError: RecordErrorPolicy
    /// JSONL fields longer than this are privatized in segments.
    let segmentLimit: Int
    /// The JSONL field whose value keys each record's noise stream (`--record-key`), if any.
    let recordKey: String?

    /// One input line: where its content and terminator are in its chunk's bytes.
    struct Line: Sendable {
        let content: Range<Int>
        let terminator: Range<Int>
    }

    /// A record's text located inside its line.
    private struct Located {
        /// Bytes kept before and after the text, and the text as written in the line.
        let head: ArraySlice<UInt8>, original: ArraySlice<UInt8>, tail: ArraySlice<UInt8>
        let prepared: TextRewriter.Prepared
        /// Whether the text must be written back as a JSON string literal.
        let isJSONString: Bool
        /// The line written back unchanged (whitespace-only JSONL line).
        let passThrough: Bool
        /// A field too long to prepare at once, privatized in segments.
        var longText: [UInt8]? = nil
        /// The record's key (`--record-key`).
        var key: RecordKey? = nil
    }

    /// Output bytes (content + terminator) of `lines` of `bytes`, whose
    /// first is record `firstRecord` of input `input`.
    ///
    /// - Returns: also the keys of the records that have one (`--record-key`),
    ///   with their 1-based lines, for the run's duplicate check.
    func process(_ bytes: [UInt8], lines: ArraySlice<Line>, input: Int, firstRecord: Int, path: String)
        throws(PipelineError) -> (output: [UInt8], counts: RewriteCounts, keys: [(key: RecordKey, line: Int)]) {
        var counts = RewriteCounts()
        var located: [Located] = []
        located.reserveCapacity(lines.count)
        for (offset, line) in lines.enumerated() {
            let content = bytes[line.content]
            do {
                located.append(try locate(content, path: path, line: firstRecord + offset + 1))
            } catch .invalidRecord(let path, let number, let detail) where onError == .skip {
                // Written unchanged: counted, with every word it holds, as unprotected.
                counts.skippedRecords += 1
                counts.skippedWords += content.withUnsafeBufferPointer { WordTokenizer.spans(in: $0).count }
                if counts.skipped.count < SkippedRecord.listLimit {
                    counts.skipped.append(SkippedRecord(path: path, line: number, reason: detail))
                }
                located.append(Located(head: [], original: content, tail: [], prepared: rewriter.prepare([]),
                                       isJSONString: false, passThrough: true))
            }
        }
        var generators = noise.generators(input: input, firstRecord: firstRecord, count: located.count,
                                          keys: located.map(\.key), field: format.field)
        var unprotected = [Int](repeating: 0, count: located.count)
        let outputs = privatizer.privatize(records: located.map(\.prepared.inputs), generators: &generators,
                                           unprotected: &unprotected)
        counts.keptByMechanism += unprotected.reduce(0, +)

        var output: [UInt8] = []
        if let first = lines.first, let last = lines.last {
            output.reserveCapacity(last.terminator.upperBound - first.content.lowerBound + 64)
        }
        for (index, ((record, outputs), line)) in zip(zip(located, outputs), lines).enumerated() {
            if record.passThrough {
                output.append(contentsOf: bytes[line.content])
            } else {
                let original = record.longText.map { $0[...] } ?? record.prepared.text
                let text = record.longText.map {
                    // Its generator is untouched: a long field has no inputs in the batch above.
                    SegmentRewriter(rewriter: rewriter, privatizer: privatizer)
                        .rewrite($0, limit: segmentLimit, using: &generators[index], counts: &counts)
                } ?? rewriter.render(record.prepared, outputs: outputs, rendering: privatizer.rendering, counts: &counts)
                output.append(contentsOf: record.head)
                if !record.isJSONString {
                    output.append(contentsOf: text)
                } else if privatizer.rendering == .verbatim && text.elementsEqual(original) {
                    // Only a mechanism that claims nothing keeps a field's literal (and its escapes).
                    output.append(contentsOf: record.original)
                } else {
                    // Every privatized field is re-encoded one way, changed or not: its escapes
                    // must not tell whether its text survived.
                    output.append(contentsOf: JSONString.encode(String(decoding: text, as: UTF8.self)))
                }
                output.append(contentsOf: record.tail)
            }
            output.append(contentsOf: bytes[line.terminator])
        }
        let keys = located.enumerated().compactMap { offset, record in record.key.map { ($0, firstRecord + offset + 1) } }
        return (output, counts, keys)
    }

    private func locate(_ content: ArraySlice<UInt8>, path: String, line: Int) throws(PipelineError) -> Located {
        switch format {
        case .text:
            return Located(head: [], original: content, tail: [], prepared: rewriter.prepare(content),
                           isJSONString: false, passThrough: false)
        case .jsonl(let field):
            if content.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) {
                return Located(head: [], original: content, tail: [], prepared: rewriter.prepare([]),
                               isJSONString: false, passThrough: true)
            }
            do {
                let location = try JSONLine.locate(field: field, in: content)
                let key = try recordKey.map { field throws(RecordKeyError) in try RecordKey.locate(field: field, in: content) }
                let text = Array((location.value ?? "").utf8)
                let isLong = text.count > segmentLimit
                return Located(
                    head: content[..<location.valueRange.lowerBound], original: content[location.valueRange],
                    tail: content[location.valueRange.upperBound...],
                    prepared: rewriter.prepare(isLong ? [] : text), isJSONString: true, passThrough: false,
                    longText: isLong ? text : nil, key: key)
            } catch {
                throw .invalidRecord(path: path, line: line, detail: "\(error)")
            }
        }
    }
}

/// What happens to a record that cannot be processed (malformed JSONL).
public enum RecordErrorPolicy: String, Sendable, CaseIterable {
    /// Stop the run; nothing is written (the default).
    case fail
    /// Write the record unchanged, count it and its words as unprotected,
    /// and list its line in the run's counts.
    case skip
}
