/// Why a privatization run stopped. Nothing is left at the output path when
/// it does.
public enum PipelineError: Error, Equatable, CustomStringConvertible {
    /// A record that cannot be processed: file, 1-based line, what is wrong.
    case invalidRecord(path: String, line: Int, detail: String)
    /// Input that cannot be read.
    case unreadableInput(path: String, reason: String)
    /// Output that cannot be created or written.
    case unwritableOutput(path: String, reason: String)
    /// The output would replace an input.
    case outputIsInput(path: String)

    public var description: String {
        switch self {
        case .invalidRecord(let path, let line, let detail):
            return "\(path):\(line): \(detail)"
        case .unreadableInput(let path, let reason):
            return "\(path): cannot be read (\(reason))."
        case .unwritableOutput(let path, let reason):
            return "\(path): cannot be written (\(reason)). Check that the folder exists, is writable and has space."
        case .outputIsInput(let path):
            return "\(path): the output would overwrite an input. Choose another output path."
        }
    }
}
