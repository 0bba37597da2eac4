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

    public init(
        rewriter: TextRewriter, privatizer: Privatizer, noise: NoiseSource, format: RecordFormat,
        threads: Int, chunkSize: Int = 4096
    ) {
        precondition(threads >= 1 && chunkSize >= 1)
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
    public func run(
        _ reader: inout LineReader, input: Int, into sink: some OutputSink,
        progress: (RewriteCounts, _ bytesRead: Int) -> Void = { _, _ in }
    ) throws(PipelineError) -> RewriteCounts {
        let processor = RecordProcessor(rewriter: rewriter, privatizer: privatizer, noise: noise, format: format)
        var counts = RewriteCounts()
        var firstRecord = 0
        do {
            while true {
                let lines = try readChunk(&reader)
                guard !lines.isEmpty else { break }
                let (output, chunkCounts) = try process(lines, with: processor, input: input,
                                                        firstRecord: firstRecord, path: reader.path)
                try sink.write(output)
                counts += chunkCounts
                firstRecord += lines.count
                progress(counts, reader.bytesRead)
            }
            try sink.finish()
        } catch {
            sink.abandon()
            throw error
        }
        return counts
    }

    private func readChunk(_ reader: inout LineReader) throws(PipelineError) -> [RecordProcessor.Line] {
        var lines: [RecordProcessor.Line] = []
        do {
            while lines.count < chunkSize, let line = try reader.nextLine() {
                lines.append(.init(content: Array(line.content), terminator: Array(line.terminator)))
            }
        } catch let error as LineReaderError {
            throw .unreadableInput(path: error.path, reason: error.reason)
        } catch {
            throw .unreadableInput(path: reader.path, reason: "\(error)")
        }
        return lines
    }

    /// Splits the chunk into one contiguous slice per thread and joins the
    /// results in order; the first failing record (lowest line) is reported.
    private func process(
        _ lines: [RecordProcessor.Line], with processor: RecordProcessor, input: Int, firstRecord: Int, path: String
    ) throws(PipelineError) -> ([UInt8], RewriteCounts) {
        let slices = min(threads, lines.count)
        let size = (lines.count + slices - 1) / slices
        var results = [Result<([UInt8], RewriteCounts), PipelineError>?](repeating: nil, count: slices)
        results.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let buffer = buffer
            DispatchQueue.concurrentPerform(iterations: slices) { slice in
                let range = slice * size..<min(lines.count, (slice + 1) * size)
                buffer[slice] = Result { () throws(PipelineError) in
                    try processor.process(lines[range], input: input, firstRecord: firstRecord + range.lowerBound,
                                          path: path)
                }
            }
        }
        var output: [UInt8] = []
        var counts = RewriteCounts()
        for result in results {
            let (bytes, sliceCounts) = try result!.get()
            output.append(contentsOf: bytes)
            counts += sliceCounts
        }
        return (output, counts)
    }
}
