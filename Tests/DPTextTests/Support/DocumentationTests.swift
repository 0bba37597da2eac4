import Foundation
import Testing

/// The code cites the project's own account of the math
/// (`Sources/DPText/DPText.docc/Mechanisms.md`) by section, fact and test:
/// every citation must name something that is there.
@Suite("Documentation the code cites")
struct DocumentationTests {
    static let document = TestData.repository.appendingPathComponent("Sources/DPText/DPText.docc/Mechanisms.md")

    @Test("every Mechanisms.md §, F and T the sources, tests and tools cite exists in it")
    func citationsResolve() throws {
        let text = try String(contentsOf: Self.document, encoding: .utf8)
        let sections = Set(text.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("#"), let match = line.firstMatch(of: /^#+ ([0-9]+(?:\.[0-9]+)?)[. ]/) else { return nil }
            return String(match.1)
        })
        let facts = Set(text.matches(of: /\*\*([FT][0-9]+)\b/).map { String($0.1) })
        var cited: [(file: String, citation: String)] = []
        for folder in ["Sources", "Tests", "Tools"] {
            let root = TestData.repository.appendingPathComponent(folder)
            let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)!
                .compactMap { $0 as? URL }
                .filter { ["swift", "py", "sh"].contains($0.pathExtension) && !$0.path.contains("/.venv") }
            for file in files {
                let source = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
                for match in source.matches(of: /Mechanisms\.md[^\n)]*/) {
                    for reference in String(match.0).matches(of: /§ ?([0-9]+(?:\.[0-9]+)?)|\b([FT][0-9]+)\b/) {
                        cited.append((file.lastPathComponent, String(reference.0)))
                        if let section = reference.1 {
                            #expect(sections.contains(String(section)), "\(file.lastPathComponent) cites §\(section)")
                        } else if let fact = reference.2 {
                            #expect(facts.contains(String(fact)), "\(file.lastPathComponent) cites \(fact)")
                        }
                    }
                }
            }
        }
        #expect(cited.count > 40, "citations found: \(cited.count)")
        #expect(sections.isSuperset(of: ["1", "2.2", "4.4", "6.3", "8.4", "9"]))
    }
}
