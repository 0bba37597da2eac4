// The properties the libFuzzer targets check, shared by the fuzzers and the
// regression tests that replay what they found.
//
// This file is compiled twice: in the test target (DPTextTests) and, through
// the symlink Tools/fuzz/Sources/FuzzChecks/FuzzChecks.swift, in the fuzz
// package. It uses only DPText's public API, so both builds see the same code.
// Each check throws `FuzzCheckFailure` when a property does not hold; a
// crash inside DPText is a finding by itself.

import DPText
import Foundation

/// A property that did not hold for an input.
public struct FuzzCheckFailure: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// The fuzz targets, by the name of their corpus and regression folders.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// Tokenizer, rewriter and pipeline: `FuzzChecks.roundTrip`.
    case roundtrip
    /// The JSONL record reader: `FuzzChecks.jsonLine`.
    case jsonline
    /// The HDF5 store loader: `FuzzChecks.hdf5Store`.
    case hdf5
}

public enum FuzzChecks {
    // MARK: Fixed inputs, made once

    /// A tiny store whose words exercise lookup and casing: ASCII, joined
    /// words, accents, CJK, digits, case mappings that change length (`ß`,
    /// `ﬁ`, `ǆ`), plus entries that are not single words (filtered out as
    /// the CLI does).
    public static let store: EmbeddingStore = {
        let words = ["the", "of", "and", "a", "text", "privacy", "word", "well-known", "o'clock", "don't", "smith",
                     "s", "café", "zürich", "日本語", "1776", "mp3", "ß", "straße", "ﬁ", "ǆ", "ωμέγα", "i̇stanbul",
                     "'s", ",", "u.s.", "..."]
        let vectors = words.indices.flatMap { i in [Float(i), Float(i * i % 7), Float(-i) / 3] }
        let raw = try! EmbeddingStore(words: words, vectors: vectors, dimension: 3)
        return try! WordTokenizer.wordVocabulary(of: raw)
    }()

    static let index = ExactNeighborIndex(store: store)
    static let rewriters = Dictionary(uniqueKeysWithValues: OOVPolicy.allCases.map {
        ($0, TextRewriter(store: store, policy: $0))
    })

    /// A deterministic mechanism that replaces every word: word i becomes
    /// word i+1, the OOV vector becomes word 0. It claims a guarantee (it
    /// has none), so its words are written in the canonical rendering.
    struct ShiftMechanism: WordMechanism {
        let count: Int
        var name: String { "shift" }
        var parameters: [String: Double] { [:] }
        var guarantee: PrivacyGuarantee { .pureMetric(epsilon: 1) }
        func draw<G: RandomNumberGenerator>(_ input: MechanismInput, using generator: inout G) -> Draw {
            switch input {
            case .word(let id): return .word((id + 1) % count)
            case .publicVector: return .word(0)
            }
        }
    }

    static let identity = try! Privatizer(mechanism: IdentityMechanism(), decoder: index)
    static let shift = try! Privatizer(mechanism: ShiftMechanism(count: store.count), decoder: index)

    // MARK: Target 1: tokenizer and rewriter round trip

    /// For any bytes: the tokenizer agrees with an independent reference
    /// tokenizer built on the standard library's UTF-8 decoder; the
    /// identity rewrite reproduces the input byte for byte, directly, as a
    /// slice, and through the pipeline (text format; JSONL when every line
    /// is a record, and always when bad records are skipped); the pipeline
    /// counts every record and undecodable run; a replacing rewrite never
    /// crashes and the pipeline gives the same bytes as rewriting each line
    /// directly.
    public static func roundTrip(_ bytes: [UInt8]) throws {
        try checkTokenizer(bytes)

        // The rewriter alone, every policy, outputs "keep" and "replace".
        for (policy, rewriter) in rewriters {
            let prepared = rewriter.prepare(bytes)
            var counts = RewriteCounts()
            let kept = rewriter.render(prepared, outputs: prepared.inputs.map { _ in nil }, rendering: .verbatim,
                                       counts: &counts)
            if policy == .unk || policy == .keep, kept != bytes {
                throw FuzzCheckFailure("identity rewrite (\(policy)) changed the text: \(show(kept)) ≠ \(show(bytes))")
            }
            var generator = SystemRandomNumberGenerator()
            let replaced = rewriter.render(prepared, outputs: shift.privatize(prepared.inputs, using: &generator),
                                           rendering: .canonical, counts: &counts)
            // The same bytes as a slice of a larger buffer (indices not from 0).
            let framed = [0x61] + bytes + [0x62]
            let inside = rewriter.prepare(framed[1..<(framed.count - 1)])
            let keptInside = rewriter.render(inside, outputs: inside.inputs.map { _ in nil }, rendering: .verbatim,
                                             counts: &counts)
            let replacedInside = rewriter.render(
                inside, outputs: shift.privatize(inside.inputs, using: &generator), rendering: .canonical, counts: &counts)
            guard keptInside == kept, replacedInside == replaced else {
                throw FuzzCheckFailure("rewriting a slice (\(policy)) differs from rewriting its copy: \(show(replacedInside)) ≠ \(show(replaced))")
            }
        }

        // The text pipeline: identity is lossless, whatever the chunks, and
        // counts every line and every run of bytes that are not UTF-8.
        let lines = splitLines(bytes)
        let runs = lines.reduce(0) { $0 + referenceUndecodableRuns(Array($1.content)) }
        for (policy, chunkSize) in [(OOVPolicy.unk, 3), (.keep, 4096)] {
            let (output, counts) = try runPipeline(identity, policy: policy, format: .text, chunkSize: chunkSize,
                                                   on: bytes)
            guard output == bytes else {
                throw FuzzCheckFailure("identity pipeline (text, \(policy)) changed the input: \(show(output)) ≠ \(show(bytes))")
            }
            guard counts.records == lines.count, counts.undecodableRuns == runs else {
                throw FuzzCheckFailure("counted \(counts.records) records and \(counts.undecodableRuns) undecodable runs, expected \(lines.count) and \(runs)")
            }
        }

        // The text pipeline with replacements equals rewriting each line on its own.
        let replaced = try runPipeline(shift, policy: .unk, format: .text, chunkSize: 2, on: bytes).output
        var expected: [UInt8] = []
        for line in lines {
            expected += rewriteDirectly(Array(line.content), policy: .unk) + line.terminator
        }
        guard replaced == expected else {
            throw FuzzCheckFailure("replacing pipeline (text) differs from rewriting each line: \(show(replaced)) ≠ \(show(expected))")
        }

        // The JSONL pipeline: lossless when every line is a record, else it
        // names the first line that is not; lossless always when skipping.
        try checkJSONLIdentity(bytes, lines: lines)
    }

    /// The tokenizer's spans are exactly the reference tokenizer's, and the
    /// bytewise casing pattern of each word and part is the one its
    /// characters have.
    static func checkTokenizer(_ bytes: [UInt8]) throws {
        let spans = bytes.withUnsafeBufferPointer { WordTokenizer.spans(in: $0) }
        let reference = referenceSpans(bytes)
        guard spans.count == reference.count
                && zip(spans, reference).allSatisfy({ $0.range == $1.range && $0.parts == $1.parts }) else {
            throw FuzzCheckFailure("tokenizer spans \(spans.map { ($0.range, $0.parts) }) ≠ reference \(reference) for \(show(bytes))")
        }
        let runs = bytes.withUnsafeBufferPointer { WordTokenizer.undecodableRuns(in: $0) }
        guard runs == referenceUndecodableRuns(bytes) else {
            throw FuzzCheckFailure("\(runs) undecodable runs, reference \(referenceUndecodableRuns(bytes)), in \(show(bytes))")
        }
        for range in spans.flatMap({ [$0.range] + $0.parts }) {
            let word = bytes[range]
            let pattern = CasingPattern(ofUTF8: word)
            guard pattern == CasingPattern(of: Substring(decoding: word, as: UTF8.self)) else {
                throw FuzzCheckFailure("casing pattern of \(show(word)) from its bytes, \(pattern), differs from its characters'")
            }
        }
    }

    /// The maximal runs of bytes that are not valid UTF-8, by the standard
    /// library's parser.
    static func referenceUndecodableRuns(_ bytes: [UInt8]) -> Int {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var runs = 0, inRun = false
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid: inRun = false
            case .error: if !inRun { runs += 1 }; inRun = true
            case .emptyInput: return runs
            }
        }
    }

    /// The words of `bytes` as documented on `WordTokenizer`, computed from
    /// the standard library's UTF-8 parser: maximal runs of letters, marks
    /// and decimal digits, joined by single `-`, `'` or `’` with word
    /// characters on both sides; invalid UTF-8 is never part of a word.
    static func referenceSpans(_ bytes: [UInt8]) -> [(range: Range<Int>, parts: [Range<Int>])] {
        // Scalars (nil for each byte of an invalid sequence) and their offsets.
        var units: [(offset: Int, scalar: Unicode.Scalar?)] = []
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        parsing: while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                units.append((offset, Unicode.UTF8.decode(encoded)))
                offset += encoded.count
            case .error(let length):
                for k in 0..<length { units.append((offset + k, nil)) }
                offset += length
            case .emptyInput:
                break parsing
            }
        }
        func isWord(_ u: Int) -> Bool {
            guard u < units.count, let scalar = units[u].scalar else { return false }
            switch scalar.properties.generalCategory {
            case .decimalNumber, .nonspacingMark, .spacingMark, .enclosingMark: return true
            default: return scalar.properties.isAlphabetic
            }
        }
        func isJoiner(_ u: Int) -> Bool {
            guard u < units.count, let scalar = units[u].scalar else { return false }
            return scalar == "-" || scalar == "'" || scalar == "\u{2019}"
        }
        func start(_ u: Int) -> Int { u < units.count ? units[u].offset : bytes.count }

        var spans: [(range: Range<Int>, parts: [Range<Int>])] = []
        var u = 0
        while u < units.count {
            guard isWord(u) else { u += 1; continue }
            var parts: [Range<Int>] = []
            var partStart = u
            var end = u
            while true {
                while isWord(end) { end += 1 }
                parts.append(start(partStart)..<start(end))
                guard isJoiner(end), isWord(end + 1) else { break }
                partStart = end + 1
                end = partStart
            }
            spans.append((parts[0].lowerBound..<parts[parts.count - 1].upperBound, parts))
            u = end
        }
        return spans
    }

    /// `content` rewritten by the shift mechanism, without the pipeline.
    static func rewriteDirectly(_ content: [UInt8], policy: OOVPolicy) -> [UInt8] {
        let rewriter = rewriters[policy]!
        let prepared = rewriter.prepare(content)
        var generator = SystemRandomNumberGenerator()
        var counts = RewriteCounts()
        return rewriter.render(prepared, outputs: shift.privatize(prepared.inputs, using: &generator), rendering: .canonical,
                               counts: &counts)
    }

    static func checkJSONLIdentity(_ bytes: [UInt8], lines: [Line]) throws {
        let invalid = lines.indices.filter { number in
            !isBlank(lines[number].content) && (try? JSONLine.locate(field: "text", in: lines[number].content)) == nil
        }
        do {
            let output = try runPipeline(identity, policy: .unk, format: .jsonl(field: "text"), chunkSize: 2,
                                         on: bytes).output
            if let first = invalid.first {
                throw FuzzCheckFailure("JSONL pipeline accepted line \(first + 1), which is not a record")
            }
            guard output == bytes else {
                throw FuzzCheckFailure("identity pipeline (jsonl) changed the input: \(show(output)) ≠ \(show(bytes))")
            }
        } catch let error as PipelineError {
            guard case .invalidRecord(_, let line, _) = error, let first = invalid.first, line == first + 1 else {
                throw FuzzCheckFailure("JSONL pipeline failed with \(error); first invalid line: \(invalid.first.map { "\($0 + 1)" } ?? "none")")
            }
        }
        // Skipping bad records: every line comes out as it was, the bad ones counted and listed.
        let (output, counts) = try runPipeline(identity, policy: .unk, format: .jsonl(field: "text"), chunkSize: 2,
                                               onError: .skip, on: bytes)
        guard output == bytes else {
            throw FuzzCheckFailure("identity pipeline (jsonl, skip) changed the input: \(show(output)) ≠ \(show(bytes))")
        }
        guard counts.skippedRecords == invalid.count, counts.skipped.map(\.line) == invalid.prefix(SkippedRecord.listLimit).map({ $0 + 1 }) else {
            throw FuzzCheckFailure("skipped lines \(counts.skipped.map(\.line)) (\(counts.skippedRecords)), expected \(invalid.map { $0 + 1 })")
        }
    }

    // MARK: Target 2: the JSONL record reader

    /// For any bytes as one line: `locate` returns or throws, never crashes;
    /// its two modes agree; a located string decodes to what an independent
    /// JSON parser (Foundation) reads; writing the value back with
    /// `JSONString.encode` and locating again gives the same value, and the
    /// same bytes when the original had no escapes. The JSONL pipeline with
    /// a replacing mechanism writes records that locate again, with every
    /// byte around the field kept.
    public static func jsonLine(_ bytes: [UInt8]) throws {
        try checkLocate(bytes[...], field: "text")
        try checkLocate(bytes[...], field: "tëxt\u{0}")
        // A slice whose indices do not start at 0.
        if bytes.count > 1 {
            try checkLocate(bytes[1...], field: "text")
        }
        try checkJSONLReplacement(bytes)
    }

    static func checkLocate(_ line: ArraySlice<UInt8>, field: String) throws {
        let strict = Result { () throws(JSONLineError) in try JSONLine.locate(field: field, in: line) }
        let lenient = Result { () throws(JSONLineError) in
            try JSONLine.locate(field: field, in: line, requireString: false)
        }
        switch strict {
        case .failure(.fieldNotAString):
            guard case .success(let location) = lenient, location.value == nil,
                  line.indices.contains(location.valueRange.lowerBound),
                  location.valueRange.upperBound <= line.endIndex,
                  let first = line[location.valueRange].first, Array("{[tfn-0123456789".utf8).contains(first)
            else { throw FuzzCheckFailure("fieldNotAString, but requireString: false gives \(lenient)") }
            return
        case .failure(let error):
            guard case .failure(error) = lenient else {
                throw FuzzCheckFailure("locate fails with \(error), but requireString: false gives \(lenient)")
            }
            if case .invalidJSON(let offset, _) = error, !(0...line.count).contains(offset) {
                throw FuzzCheckFailure("error offset \(offset) outside a line of \(line.count) bytes")
            }
            return
        case .success(let location):
            guard case .success(location) = lenient else {
                throw FuzzCheckFailure("locate finds \(location), but requireString: false gives \(lenient)")
            }
            try checkLocated(location, in: line, field: field)
        }
    }

    static func checkLocated(_ location: FieldLocation, in line: ArraySlice<UInt8>, field: String) throws {
        let range = location.valueRange
        guard let value = location.value, range.lowerBound >= line.startIndex, range.upperBound <= line.endIndex,
              range.count >= 2, line[range.lowerBound] == 0x22, line[range.upperBound - 1] == 0x22 else {
            throw FuzzCheckFailure("located string \(location) is not a string token of the line")
        }
        let token = line[range]

        // An independent parser reads the same value (when it parses the line
        // at all). Only for `text`: Foundation's keys are Swift strings, which
        // merge canonically equivalent keys that `locate` keeps apart, and no
        // other string is canonically equivalent to `text`. Foundation (Swift
        // 6.3, Linux) drops a U+FEFF at the start of a string and after an
        // escape, so U+FEFF is left out of the comparison.
        func withoutBOM(_ string: String) -> [UInt8] {
            Array(String(string.unicodeScalars.filter { $0 != "\u{FEFF}" }).utf8)
        }
        if field == "text",
           let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
           let other = object[field] as? String, withoutBOM(other) != withoutBOM(value) {
            throw FuzzCheckFailure("locate reads \(value.debugDescription), Foundation reads \(other.debugDescription)")
        }

        // Encode, splice in, locate again.
        let encoded = JSONString.encode(value)
        if !token.contains(0x5C), encoded != Array(token) {
            throw FuzzCheckFailure("an escape-free token \(show(token)) re-encodes as \(show(encoded))")
        }
        let spliced = Array(line[..<range.lowerBound]) + encoded + Array(line[range.upperBound...])
        let again: FieldLocation
        do { again = try JSONLine.locate(field: field, in: spliced[...]) } catch {
            throw FuzzCheckFailure("re-encoded record \(show(spliced)) no longer locates: \(error)")
        }
        let start = range.lowerBound - line.startIndex
        guard again.valueRange == start..<(start + encoded.count), let value2 = again.value,
              Array(value2.utf8) == Array(value.utf8) else {
            throw FuzzCheckFailure("re-encoded record locates as \(again), expected \(value.debugDescription)")
        }
    }

    /// The JSONL pipeline with replacements writes records that read back:
    /// same bytes around the field, the field holding the line's rewritten text.
    static func checkJSONLReplacement(_ bytes: [UInt8]) throws {
        let output: [UInt8]
        do {
            output = try runPipeline(shift, policy: .unk, format: .jsonl(field: "text"), chunkSize: 2, on: bytes).output
        } catch is PipelineError {
            return  // Some line is not a record; `roundTrip` checks which.
        }
        let inputLines = splitLines(bytes)
        let outputLines = splitLines(output)
        guard inputLines.count == outputLines.count else {
            throw FuzzCheckFailure("JSONL pipeline wrote \(outputLines.count) lines for \(inputLines.count)")
        }
        for (number, (input, written)) in zip(inputLines, outputLines).enumerated() {
            guard input.terminator == written.terminator else {
                throw FuzzCheckFailure("line \(number + 1): terminator changed")
            }
            if isBlank(input.content) {
                guard input.content == written.content else {
                    throw FuzzCheckFailure("line \(number + 1): a blank line changed")
                }
                continue
            }
            let before: FieldLocation, after: FieldLocation
            do {
                before = try JSONLine.locate(field: "text", in: input.content)
                after = try JSONLine.locate(field: "text", in: written.content)
            } catch {
                throw FuzzCheckFailure("line \(number + 1): the rewritten record \(show(written.content)) does not locate: \(error)")
            }
            let expected = rewriteDirectly(Array((before.value ?? "").utf8), policy: .unk)
            guard input.content[..<before.valueRange.lowerBound] == written.content[..<after.valueRange.lowerBound],
                  input.content[before.valueRange.upperBound...] == written.content[after.valueRange.upperBound...],
                  Array((after.value ?? "").utf8) == expected,
                  // One encoding for every privatized field, changed or not.
                  Array(written.content[after.valueRange]) == JSONString.encode(String(decoding: expected, as: UTF8.self))
            else {
                throw FuzzCheckFailure("line \(number + 1): \(show(input.content)) was rewritten as \(show(written.content)); expected text \(show(expected))")
            }
        }
    }

    // MARK: Target 3: the HDF5 store loader

    /// Loads `bytes` as a store file written at `scratchPath`: any thrown
    /// `EmbeddingStoreError` is fine, a crash or hang is not. A store that
    /// loads is consistent, a vocabulary limit gives its prefix, and no file
    /// descriptor is left open either way.
    public static func hdf5Store(_ bytes: [UInt8], scratchPath: String) throws {
        guard FileManager.default.createFile(atPath: scratchPath, contents: Data(bytes)) else {
            throw FuzzCheckFailure("cannot write \(scratchPath)")
        }
        defer { unlink(scratchPath) }
        let descriptors = openDescriptorCount()
        let full: EmbeddingStore
        do {
            full = try EmbeddingStore.load(from: scratchPath)
        } catch is EmbeddingStoreError {
            try checkDescriptors(descriptors)
            return
        } catch {
            throw FuzzCheckFailure("load threw \(type(of: error)), not an EmbeddingStoreError: \(error)")
        }
        try checkDescriptors(descriptors)
        guard full.count >= 1, full.dimension >= 1, full.vectors.count == full.count * full.dimension else {
            throw FuzzCheckFailure("loaded an inconsistent store")
        }
        let limited: EmbeddingStore
        do { limited = try EmbeddingStore.load(from: scratchPath, vocabLimit: 1) } catch {
            throw FuzzCheckFailure("the store loads, but not its first word: \(error)")
        }
        try checkDescriptors(descriptors)
        guard limited.words == [full.words[0]], limited.vectors == Array(full.vectors.prefix(full.dimension)) else {
            throw FuzzCheckFailure("vocabLimit 1 gives \(limited.words), not the first word of \(full.words.prefix(3))")
        }
    }

    static func checkDescriptors(_ before: Int) throws {
        let after = openDescriptorCount()
        guard after <= before else {
            throw FuzzCheckFailure("loading left \(after - before) file descriptor(s) open")
        }
    }

    static func openDescriptorCount() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
    }

    // MARK: Helpers

    public typealias Line = (content: ArraySlice<UInt8>, terminator: [UInt8])

    /// Lines as `LineReader` documents them: ended by `\n` or `\r\n`; a last
    /// line without a terminator still counts.
    static func splitLines(_ bytes: [UInt8]) -> [Line] {
        var lines: [Line] = []
        var start = 0
        for i in bytes.indices where bytes[i] == 0x0A {
            let end = i > start && bytes[i - 1] == 0x0D ? i - 1 : i
            lines.append((bytes[start..<end], Array(bytes[end...i])))
            start = i + 1
        }
        if start < bytes.count { lines.append((bytes[start...], [])) }
        return lines
    }

    /// The JSONL pipeline's pass-through lines: only spaces, tabs and CRs.
    static func isBlank(_ content: ArraySlice<UInt8>) -> Bool {
        content.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
    }

    /// Runs a pipeline over `bytes` read from an anonymous file, on one
    /// thread: the output does not depend on the thread count (PipelineTests
    /// checks that), and handing slices to other threads costs the fuzzer
    /// most of its speed on a busy machine at low priority.
    static func runPipeline(
        _ privatizer: Privatizer, policy: OOVPolicy, format: RecordFormat, chunkSize: Int,
        onError: RecordErrorPolicy = .fail, on bytes: [UInt8]
    ) throws -> (output: [UInt8], counts: RewriteCounts) {
        let pipeline = PrivatizationPipeline(
            rewriter: rewriters[policy]!, privatizer: privatizer, noise: .seeded(1), format: format,
            threads: 1, chunkSize: chunkSize, onError: onError)
        let file = try AnonymousFile(bytes)
        var reader = LineReader(handle: file.handle, name: "<fuzz>")
        let sink = MemoryOutputSink()
        let counts: RewriteCounts
        do {
            counts = try pipeline.run(&reader, input: 0, into: sink)
        } catch {
            guard sink.abandoned, !sink.finished else { throw FuzzCheckFailure("a failed run did not abandon its sink") }
            throw error
        }
        guard sink.finished, !sink.abandoned else { throw FuzzCheckFailure("a run did not finish its sink") }
        return (sink.bytes, counts)
    }

    /// Bytes for failure messages: short inputs in full, long ones cut.
    static func show<C: Collection<UInt8>>(_ bytes: C) -> String {
        let text = String(decoding: bytes.prefix(200), as: UTF8.self).debugDescription
        return bytes.count > 200 ? text + "… (\(bytes.count) bytes)" : text
    }
}

/// A file with no name holding some bytes, read from its start.
final class AnonymousFile {
    let handle: FileHandle

    init(_ bytes: [UInt8]) throws {
        var template = Array((NSTemporaryDirectory() + "/dptext-fuzz-XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { throw FuzzCheckFailure("mkstemp failed: \(errno)") }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        try handle.write(contentsOf: bytes)
        try handle.seek(toOffset: 0)
    }
}

/// Collects a run's output in memory (also used by the pipeline tests;
/// one thread writes to it at a time).
final class MemoryOutputSink: OutputSink, @unchecked Sendable {
    var bytes: [UInt8] = []
    var finished = false
    var abandoned = false
    func write(_ bytes: [UInt8]) throws(PipelineError) { self.bytes += bytes }
    func finish() throws(PipelineError) { finished = true }
    func abandon() { abandoned = true }
}
