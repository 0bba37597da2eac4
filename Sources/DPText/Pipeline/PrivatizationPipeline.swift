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

    public init(
        rewriter: TextRewriter, privatizer: Privatizer, noise: NoiseSource, format: RecordFormat,
        threads: Int, chunkSize: Int = 4096, onError: RecordErrorPolicy = .fail, maxUnprotectedFraction: Double? = nil
    ) {
        precondition(threads >= 1 && chunkSize >= 1)
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
            rewriter: rewriter, privatizer: privatizer, noise: noise, format: format, onError: onError)
        var counts = RewriteCounts()
        var firstRecord = 0
        do throws(PipelineError) {
            while true {
                let chunk = try readChunk(&reader)
                guard !chunk.lines.isEmpty else { break }
                counts += try process(chunk, with: processor, input: input, firstRecord: firstRecord,
                                      path: reader.path, into: sink)
                firstRecord += chunk.lines.count
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

    private func readChunk(_ reader: inout LineReader) throws(PipelineError) -> Chunk {
        var chunk = Chunk()
        chunk.lines.reserveCapacity(chunkSize)
        do {
            while chunk.lines.count < chunkSize, let line = try reader.nextLine() {
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
        return chunk
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
        var results = [Result<([UInt8], RewriteCounts), PipelineError>?](repeating: nil, count: slices)
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
        var counts = RewriteCounts()
        for (bytes, sliceCounts) in outputs {
            try sink.write(bytes)
            counts += sliceCounts
        }
        return counts
    }
}
