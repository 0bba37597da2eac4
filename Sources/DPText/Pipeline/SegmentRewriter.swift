/// Privatizes a long text a segment at a time, in memory bounded by the
/// segment size rather than the text's length.
///
/// Segments end just after a space or tab. No word spans whitespace, so the
/// segments hold exactly the text's words; drawing from the text's one
/// generator across them, in order, gives the same output as privatizing
/// the text whole. (A run of more than one segment without whitespace is
/// cut where the segment ends.)
struct SegmentRewriter {
    let rewriter: TextRewriter
    let privatizer: Privatizer

    /// Where the next segment of `bytes` ends: after its last space or tab,
    /// or at its end when the text ends there (`isLast`) or it has none.
    static func segmentEnd(of bytes: ArraySlice<UInt8>, isLast: Bool) -> Int {
        guard !isLast, let space = bytes.lastIndex(where: { $0 == 0x20 || $0 == 0x09 }) else { return bytes.endIndex }
        return space + 1
    }

    /// The rewritten `segment`, drawing from `generator`; adds to `counts`.
    func rewrite<G: RandomNumberGenerator>(
        _ segment: ArraySlice<UInt8>, using generator: inout G, counts: inout RewriteCounts
    ) -> [UInt8] {
        let prepared = rewriter.prepare(segment)
        var generators = [generator], unprotected = [0]
        defer { generator = generators[0] }
        let outputs = privatizer.privatize(records: [prepared.inputs], generators: &generators, unprotected: &unprotected)[0]
        counts.keptByMechanism += unprotected[0]
        return rewriter.render(prepared, outputs: outputs, counts: &counts)
    }

    /// All of `text`, rewritten in segments of at most about `limit` bytes;
    /// counts it as one record.
    func rewrite<G: RandomNumberGenerator>(
        _ text: [UInt8], limit: Int, using generator: inout G, counts: inout RewriteCounts
    ) -> [UInt8] {
        let records = counts.records
        var result: [UInt8] = []
        result.reserveCapacity(text.count)
        var start = 0
        while start < text.count {
            let window = text[start..<min(text.count, start + limit)]
            let end = Self.segmentEnd(of: window, isLast: window.endIndex == text.count)
            result.append(contentsOf: rewrite(text[start..<end], using: &generator, counts: &counts))
            start = end
        }
        counts.records = records + 1
        return result
    }
}
