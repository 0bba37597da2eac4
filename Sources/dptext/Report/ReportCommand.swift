import ArgumentParser
import DPText
import Foundation

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Work with run reports.",
        subcommands: [ReportMergeCommand.self]
    )
}

struct ReportMergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge the reports of a run done in parts (a cluster job's partitions) into one.",
        discussion: """
            Every part must come from the same run: mechanism, parameters, guarantee, decoding, the \
            store's SHA-256, randomness and options are checked equal. Private reports (--report) get \
            their counts summed and their privacy statement derived again from the sums; public reports \
            (--report-public) get their output counts summed. Mixing the two kinds is an error.
            """
    )

    @Argument(help: ArgumentHelp("Reports to merge, all private or all public.", valueName: "report"))
    var parts: [String]

    @Option(name: .shortAndLong, help: ArgumentHelp("Where to write the merged report.", valueName: "path"))
    var output: String

    func run() throws {
        try reportingFailures {
            guard !parts.isEmpty else { throw Failure(message: "no reports to merge.", status: ExitStatus.usage) }
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            let contents = try parts.map { path -> (String, Data) in
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw Failure(message: "\(path): cannot be read.", status: ExitStatus.noInput)
                }
                return (path, data)
            }
            // The same part twice would count its records twice.
            var seen: [String: String] = [:]
            for (path, data) in contents {
                let digest = sha256Hex(of: data)
                if let first = seen.updateValue(path, forKey: digest) {
                    throw Failure(message: "\(path): the same report as \(first) (equal SHA-256): merging a part twice "
                                  + "would count its records twice. Give each part once.", status: ExitStatus.dataError)
                }
            }
            func decoded<Report: Decodable>(_ type: Report.Type) -> [(name: String, report: Report)]? {
                let reports = contents.compactMap { name, data in
                    (try? decoder.decode(type, from: data)).map { (name: name, report: $0) }
                }
                return reports.count == contents.count ? reports : nil
            }
            do {
                if let reports = decoded(RunReport.self) {
                    try ReportMerge.merge(reports).write(to: output)
                } else if let reports = decoded(PublicRunReport.self) {
                    try ReportMerge.merge(reports).write(to: output)
                } else {
                    throw Failure(message: "the reports are not all dptext run reports of one kind (private or public).",
                                  status: ExitStatus.dataError)
                }
            } catch let failure as ReportMerge.Failure {
                throw Failure(message: failure.description + ".", status: ExitStatus.dataError)
            }
        }
    }
}
