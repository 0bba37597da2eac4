import ArgumentParser
import DPText
import Foundation

/// Exit statuses shared by every command (see README, "Exit codes").
enum ExitStatus {
    /// Invalid command line (as swift-argument-parser reports it).
    static let usage: Int32 = 64
    /// Bad data: an invalid store, malformed input text, an unknown word.
    static let dataError: Int32 = 65
    /// An input file is missing or cannot be read.
    static let noInput: Int32 = 66
    /// An output file cannot be created or written.
    static let cannotCreate: Int32 = 73
    /// A cache folder or the key that signs it could be changed by other users.
    static let unsafeFiles: Int32 = 77
}

/// A failure to show the user as one line on stderr, with its exit status.
struct Failure: Error {
    let message: String
    let status: Int32
}

/// Runs a command body; known errors become one clear line on stderr and
/// the matching exit status instead of a stack of library details.
func reportingFailures(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let failure as Failure {
        exit(with: failure.message, status: failure.status)
    } catch let error as EmbeddingStoreError {
        exit(with: error.commandLineDescription, status: status(of: error))
    } catch let error as LineReaderError {
        exit(with: error.description, status: ExitStatus.noInput)
    } catch let error as PipelineError {
        exit(with: error.commandLineDescription, status: status(of: error))
    } catch let error as MechanismError {
        exit(with: error.commandLineDescription, status: ExitStatus.usage)
    } catch let error as TruncatedGumbelError {
        exit(with: error.description, status: status(of: error))
    } catch let error as VocabularyResourceError {
        exit(with: error.description, status: ExitStatus.dataError)
    } catch let error as CacheError {
        switch error {
        case .unsafeKey, .unusableFolder: exit(with: error.commandLineDescription, status: ExitStatus.unsafeFiles)
        case .keyUnavailable, .writeFailed: exit(with: error.commandLineDescription, status: ExitStatus.cannotCreate)
        }
    }
}

private func exit(with message: String, status: Int32) -> Never {
    FileHandle.standardError.write(Data("dptext: error: \(message)\n".utf8))
    Foundation.exit(status)
}

private func status(of error: EmbeddingStoreError) -> Int32 {
    switch error {
    case .fileNotFound, .unreadable: return ExitStatus.noInput
    case .writeFailed: return ExitStatus.cannotCreate
    default: return ExitStatus.dataError
    }
}

private func status(of error: PipelineError) -> Int32 {
    switch error {
    case .invalidRecord, .tooManyUnprotected, .duplicateRecordKey: return ExitStatus.dataError
    case .unreadableInput: return ExitStatus.noInput
    case .unwritableOutput, .outputIsInput: return ExitStatus.cannotCreate
    }
}

private func status(of error: TruncatedGumbelError) -> Int32 {
    switch error {
    case .invalidPoissonMean: return ExitStatus.usage
    default: return ExitStatus.dataError
    }
}

/// Prints `dptext: warning: <message>` on stderr.
func warn(_ message: String) {
    FileHandle.standardError.write(Data("dptext: warning: \(message)\n".utf8))
}

extension MechanismError {
    /// The error in the command line's terms: parameters named by their flags.
    var commandLineDescription: String {
        switch self {
        case .invalidParameter(let name, let requirement, let value):
            return "\(MechanismOptions.flag(forParameter: name)) must be \(requirement) (got \(value))."
        case .needsExactDecoding:
            return description + " Use --decoder exact."
        case .noGuarantee(let parameter, let detail):
            return "\(MechanismOptions.flag(forParameter: parameter)): \(detail)."
        case .tooFewWords, .epsilonBelowMinimum:
            return description
        case .cannotPostProcess:
            return description + " Drop --post-process, or choose a mechanism with a guarantee."
        }
    }
}

// Library errors speak of the library's settings; on the command line they name its flags.

extension PipelineError {
    var commandLineDescription: String {
        switch self {
        case .invalidRecord(let path, let line, let detail):
            return "\(path):\(line): \(detail). Fix the record, or pass --on-error skip to write such records "
                + "unchanged (unprotected, counted in the report)."
        case .duplicateRecordKey(let path, let line, let key, let firstPath, let firstLine):
            return "\(path):\(line): record key \(key) is also the key of \(firstPath):\(firstLine); two records with "
                + "one key would share their noise. Give every record its own key (--record-key); no output was kept"
        case .tooManyUnprotected(let path, let counts, let limit):
            return Self.tooManyUnprotected(path: path, counts: counts, limit: limit, keptPolicy: "under --oov keep",
                                           limitName: "--max-unprotected-fraction")
                + "Use --oov unk, convert the input to UTF-8, fix the records, or raise --max-unprotected-fraction."
        case .unwritableOutput(let path, let reason) where reason == PipelineError.isADirectory:
            return PipelineError.unwritableOutput(path: path, reason: reason + ", or use --output-dir").description
        default:
            return description
        }
    }
}

extension EmbeddingStoreError {
    var commandLineDescription: String {
        switch self {
        case .fileNotFound(let path):
            return "\(path): no such file. Check the path, or omit --embeddings to use the bundled store."
        case .invalidVocabLimit(let limit):
            return "--vocab-limit must be at least 1 (got \(limit))."
        default:
            return description
        }
    }
}

extension CacheError {
    var commandLineDescription: String {
        description.replacingOccurrences(of: CacheError.anotherFolder, with: "choose another with --cache-dir")
    }
}
