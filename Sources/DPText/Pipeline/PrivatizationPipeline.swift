import Dispatch

/// Streams records from a reader through a mechanism to a sink, in bounded
/// memory: one chunk of records at a time, each chunk split over threads,
/// written in input order.
public struct PrivatizationPipeline: Sendable {
    public let rewriter: TextRewriter
    public let privatizer: Privatizer
    public let noise: NoiseSource
    public let format: RecordFormat
    /// Threads privatizing each chunk.
    public let threads: Int
    /// Records read before they are processed and written together.
    public let chunkSize: Int
    /// What to do with a record that cannot be processed.
    public let onError: RecordErrorPolicy
    /// The largest fraction of unprotected tokens (`RewriteCounts.unprotectedFraction`)
    /// an input may have; above it the run fails before its output is
    /// made visible. nil: no limit.
    public let maxUnprotectedFraction: Double?
    /// Text lines, and JSONL fields, longer than this many bytes are
    /// privatized in segments cut at whitespace (`SegmentRewriter`), so the
    /// memory a record takes does not grow with it (a JSONL record is still
    /// read whole: its JSON must be checked).
    public let segmentLimit: Int
    /// JSONL: the field whose value keys each record's noise stream
    /// (`RecordKey`) instead of its position; nil keys by position.
    public let recordKey: String?
    /// The keys used so far, across every input of the run.
    let usedKeys = RecordKeyRegistry()

    public init(
        rewriter: TextRewriter, privatizer: Privatizer, noise: NoiseSource, format: RecordFormat,
        threads: Int, chunkSize: Int = 4096, onError: RecordErrorPolicy = .fail, maxUnprotectedFraction: Double? = nil,
        segmentLimit: Int = 1 << 20, recordKey: String? = nil
    ) {
        precondition(threads >= 1 && chunkSize >= 1 && segmentLimit >= 1)
        precondition(recordKey == nil || format != .text, "record keys are fields of JSONL records")
        self.recordKey = recordKey
        self.segmentLimit = segmentLimit
        self.onError = onError
        self.maxUnprotectedFraction = maxUnprotectedFraction
        self.rewriter = rewriter
        self.privatizer = privatizer
        self.noise = noise
        self.format = format
        self.threads = threads
        self.chunkSize = chunkSize
    }

    /// Privatizes everything `reader` holds into `sink`; input number `input`
    /// selects the seeded streams. Calls `progress` after every chunk.
    /// On error the sink is abandoned.
    ///
    /// - Parameter stopAfter: checked after every chunk; `true` ends the run
    ///   there, as if the input ended (benchmarks use it as a time limit).
    public func run(
        _ reader: inout LineReader, input: Int, into sink: some OutputSink,
        progress: (RewriteCounts, _ bytesRead: Int) -> Void = { _, _ in },
        stopAfter: (RewriteCounts) -> Bool = { _ in false }
    ) throws(PipelineError) -> RewriteCounts {
        let processor = RecordProcessor(
            rewriter: rewriter, privatizer: privatizer, noise: noise, format: format, onError: onError,
            segmentLimit: segmentLimit, recordKey: recordKey)
        var counts = RewriteCounts()
        var firstRecord = 0
        do throws(PipelineError) {
            while true {
                let (chunk, longLine) = try readChunk(&reader)
                guard !chunk.lines.isEmpty || longLine != nil else { break }
                if !chunk.lines.isEmpty {
                    counts += try process(chunk, with: processor, input: input, firstRecord: firstRecord,
                                          path: reader.path, into: sink)
                    firstRecord += chunk.lines.count
                }
                if let longLine {
                    counts += try privatizeLongLine(startingWith: longLine, from: &reader, input: input,
                                                    record: firstRecord, into: sink)
                    firstRecord += 1
                }
                progress(counts, reader.bytesRead)
                if stopAfter(counts) { break }
            }
            if let limit = maxUnprotectedFraction, counts.unprotectedFraction > limit {
                throw PipelineError.tooManyUnprotected(path: reader.path, counts: counts, limit: limit)
            }
            try sink.finish()
        } catch {
            sink.abandon()
            throw error
        }
        return counts
    }

    /// Lines read together, their bytes in one buffer.
    private struct Chunk {
        var bytes: [UInt8] = []
        var lines: [RecordProcessor.Line] = []
    }

    /// Up to `chunkSize` lines; a text line longer than `segmentLimit` ends
    /// the chunk, and its first piece is returned beside it.
    private func readChunk(_ reader: inout LineReader) throws(PipelineError) -> (Chunk, longLine: [UInt8]?) {
        var chunk = Chunk()
        chunk.lines.reserveCapacity(chunkSize)
        let limit = format == .text ? segmentLimit : .max
        do {
            // A chunk ends early when the next line is not there yet (input from a pipe):
            // what has arrived is answered without waiting.
            while chunk.lines.count < chunkSize, chunk.lines.isEmpty || reader.hasLineReady,
                  let line = try reader.nextLine(maxContent: limit) {
                guard line.isComplete else { return (chunk, Array(line.content)) }
                let start = chunk.bytes.count
                chunk.bytes.append(contentsOf: line.content)
                let end = chunk.bytes.count
                chunk.bytes.append(contentsOf: line.terminator)
                chunk.lines.append(.init(content: start..<end, terminator: end..<chunk.bytes.count))
            }
        } catch let error as LineReaderError {
            throw .unreadableInput(path: error.path, reason: error.reason)
        } catch {
            throw .unreadableInput(path: reader.path, reason: "\(error)")
        }
        return (chunk, nil)
    }

    /// Privatizes one text line longer than `segmentLimit`, read piece by
    /// piece and rewritten by `SegmentRewriter` (the path every long record
    /// takes): the output equals privatizing the line whole, in memory
    /// bounded by about twice `segmentLimit` plus the longest word.
    private func privatizeLongLine(
        startingWith first: [UInt8], from reader: inout LineReader, input: Int, record: Int, into sink: some OutputSink
    ) throws(PipelineError) -> RewriteCounts {
        var generator = noise.generator(input: input, record: record)
        var counts = RewriteCounts()
        var pending: [UInt8]? = first
        var isComplete = false
        var terminator: [UInt8] = []
        let limit = segmentLimit
        try SegmentRewriter(rewriter: rewriter, privatizer: privatizer).rewrite(
            pieces: { () throws(PipelineError) -> ArraySlice<UInt8>? in
                if let piece = pending {
                    pending = nil
                    return piece[...]
                }
                guard !isComplete else { return nil }
                do {
                    guard let piece = try reader.nextLine(maxContent: limit) else { return nil }
                    isComplete = piece.isComplete
                    terminator = Array(piece.terminator)
                    return piece.content
                } catch let error as LineReaderError {
                    throw .unreadableInput(path: error.path, reason: error.reason)
                } catch {
                    throw .unreadableInput(path: reader.path, reason: "\(error)")
                }
            },
            using: &generator, counts: &counts, emit: { bytes throws(PipelineError) in try sink.write(bytes) })
        try sink.write(terminator)
        return counts
    }

    /// Splits the chunk into one contiguous slice per thread and writes the
    /// results in order; the first failing record (lowest line) is reported
    /// and nothing of the chunk is written.
    private func process(
        _ chunk: Chunk, with processor: RecordProcessor, input: Int, firstRecord: Int, path: String,
        into sink: some OutputSink
    ) throws(PipelineError) -> RewriteCounts {
        let lines = chunk.lines
        let slices = min(threads, lines.count)
        let size = (lines.count + slices - 1) / slices
        typealias Processed = (output: [UInt8], counts: RewriteCounts, keys: [(key: RecordKey, line: Int)])
        var results = [Result<Processed, PipelineError>?](repeating: nil, count: slices)
        results.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let buffer = buffer
            DispatchQueue.concurrentPerform(iterations: slices) { slice in
                let range = slice * size..<min(lines.count, (slice + 1) * size)
                buffer[slice] = Result { () throws(PipelineError) in
                    try processor.process(chunk.bytes, lines: lines[range], input: input,
                                          firstRecord: firstRecord + range.lowerBound, path: path)
                }
            }
        }
        let outputs = try results.map { result throws(PipelineError) in try result!.get() }
        // Keys are checked in record order before anything of the chunk is written.
        for slice in outputs where !slice.keys.isEmpty {
            try usedKeys.register(slice.keys, input: input, path: path)
        }
        var counts = RewriteCounts()
        for slice in outputs {
            try sink.write(slice.output)
            counts += slice.counts
        }
        return counts
    }
}
