/// Privatizes a long text — a text line or a JSONL field of more than the
/// pipeline's segment limit — a segment at a time, in memory bounded by the
/// segment size plus the longest word rather than by the text's length. The
/// one path every long record takes.
///
/// Segments end only where no word and no character can span the cut: just
/// after a scalar that is not part of any word — a space, punctuation, a
/// symbol, CJK punctuation such as `、` or `。` (`cutPoint`). So the segments
/// hold exactly the text's words, and drawing from the text's one generator
/// across them, in order, gives the same bytes as privatizing the text
/// whole. Where a piece has no such scalar (one enormous word), it is held
/// until the word ends.
struct SegmentRewriter {
    let rewriter: TextRewriter
    let privatizer: Privatizer

    /// All of a text that arrives in pieces (`nextPiece` returns nil at its
    /// end), rewritten segment by segment into `emit`, drawing from
    /// `generator`; counts the text as one record.
    func rewrite<G: RandomNumberGenerator, Failure: Error>(
        pieces nextPiece: () throws(Failure) -> ArraySlice<UInt8>?, using generator: inout G,
        counts: inout RewriteCounts, emit: ([UInt8]) throws(Failure) -> Void
    ) throws(Failure) {
        let records = counts.records
        var held: [UInt8] = []
        while let piece = try nextPiece() {
            held.append(contentsOf: piece)
            // What was held before has no cut point: search the new piece and the character that may end in it.
            guard let end = Self.cutPoint(in: held[max(0, held.count - piece.count - 3)...]) else { continue }
            try emit(rewrite(held[..<end], using: &generator, counts: &counts))
            held.removeSubrange(..<end)
        }
        try emit(rewrite(held[...], using: &generator, counts: &counts))
        counts.records = records + 1
    }

    /// `text` rewritten in segments of about `limit` bytes (a JSONL field
    /// already in memory); counts it as one record.
    func rewrite<G: RandomNumberGenerator>(
        _ text: [UInt8], limit: Int, using generator: inout G, counts: inout RewriteCounts
    ) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(text.count)
        var start = 0
        rewrite(pieces: { () -> ArraySlice<UInt8>? in
            guard start < text.count else { return nil }
            defer { start = min(text.count, start + limit) }
            return text[start..<min(text.count, start + limit)]
        }, using: &generator, counts: &counts, emit: { result.append(contentsOf: $0) })
        return result
    }

    /// The rewritten `segment`, drawing from `generator`; adds to `counts`.
    private func rewrite<G: RandomNumberGenerator>(
        _ segment: ArraySlice<UInt8>, using generator: inout G, counts: inout RewriteCounts
    ) -> [UInt8] {
        let prepared = rewriter.prepare(segment)
        var generators = [generator], unprotected = [0]
        defer { generator = generators[0] }
        let outputs = privatizer.privatize(records: [prepared.inputs], generators: &generators, unprotected: &unprotected)[0]
        counts.keptByMechanism += unprotected[0]
        return rewriter.render(prepared, outputs: outputs, rendering: privatizer.rendering, counts: &counts)
    }

    /// The last place in `bytes` where a segment may end: just after the
    /// last whole, valid scalar that no word can contain (neither a word
    /// character nor a joiner, `WordTokenizer`); nil when there is none.
    ///
    /// No span of the tokenizer contains such a scalar, so none crosses the
    /// cut; and since the scalar is whole and valid, the cut splits no
    /// character and no run of undecodable bytes.
    static func cutPoint(in bytes: ArraySlice<UInt8>) -> Int? {
        bytes.withUnsafeBufferPointer { buffer -> Int? in
            var index = buffer.count - 1
            while index >= 0 {
                let byte = buffer[index]
                if byte & 0xC0 == 0x80 {  // a continuation byte: look for its lead
                    index -= 1
                    continue
                }
                let length = byte < 0x80 ? 1 : WordTokenizer.decodeScalar(in: buffer, at: index)?.length
                if let length, index + length <= buffer.count,
                   WordTokenizer.wordCharacter(in: buffer, at: index) == nil,
                   WordTokenizer.joinerLength(in: buffer, at: index) == nil {
                    return bytes.startIndex + index + length
                }
                index -= 1
            }
            return nil
        }
    }
}
