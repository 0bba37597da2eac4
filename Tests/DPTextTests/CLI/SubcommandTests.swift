import Foundation
import Testing
@testable import DPText

/// Every command besides `privatize`, run as users run them, on small
/// settings: each writes what it says, in the shape it says.
@Suite("Every other command, end to end", .serialized)
struct SubcommandTests {
    static let corpus = TestData.repository.appendingPathComponent("Corpora/mixed-layout.txt").path
    static let small = ["--vocab-limit", "2000"]

    static func run(_ arguments: [String], in folder: URL) throws -> CommandLineTool.Outcome {
        let outcome = try CommandLineTool.run(arguments + ["--cache-dir", folder.appendingPathComponent("cache").path])
        #expect(outcome.status == 0, "\(arguments): \(outcome.stderr)")
        return outcome
    }

    static func json(_ url: URL) throws -> Any { try JSONSerialization.jsonObject(with: Data(contentsOf: url)) }

    @Test("embeddings import, info and check: a word2vec text file becomes a store that opens and describes itself")
    func embeddings() throws {
        let folder = try TestData.temporaryFolder()
        defer { TestData.cleanUp(folder) }
        let text = folder.appendingPathComponent("vectors.txt"), store = folder.appendingPathComponent("store.h5")
        try Data("3 2\nthe 0.1 0.2\ncat -1 0.5\nsat 2 2\n".utf8).write(to: text)
        var outcome = try CommandLineTool.run(["embeddings", "import", text.path, "-o", store.path, "--name", "toy",
                                               "--origin", "a test", "--license", "CC0"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        outcome = try CommandLineTool.run(["embeddings", "info", store.path])
        let info = String(decoding: outcome.stdout, as: UTF8.self)
        #expect(outcome.status == 0 && info.contains("toy") && info.contains("CC0"), "\(info)\(outcome.stderr)")
        outcome = try CommandLineTool.run(["embeddings", "check", store.path])
        #expect(outcome.status == 0 && String(decoding: outcome.stdout, as: UTF8.self).contains("valid store, V = 3, D = 2"))
        outcome = try CommandLineTool.run(["embeddings", "check", TestData.fixture("not-hdf5.h5")])
        #expect(outcome.status == 65 && outcome.stderr.contains("not-hdf5.h5"), "\(outcome.stderr)")
        // Privatizing with it: every word of its vocabulary comes out as one of its words.
        outcome = try CommandLineTool.run(["privatize", "--embeddings", store.path, "--epsilon", "1", "--seed", "1",
                                           "--cache-dir", folder.appendingPathComponent("cache").path],
                                          stdin: Array("the cat sat\n".utf8))
        let words = String(decoding: outcome.stdout, as: UTF8.self).split(whereSeparator: \.isWhitespace)
        #expect(outcome.status == 0 && words.count == 3 && words.allSatisfy { ["the", "cat", "sat"].contains($0) })
    }

    @Test("neighbors lists a word's nearest words, itself first")
    func neighbors() throws {
        let folder = try TestData.temporaryFolder()
        defer { TestData.cleanUp(folder) }
        let outcome = try Self.run(["neighbors", "king", "-k", "4"] + Self.small, in: folder)
        let lines = String(decoding: outcome.stdout, as: UTF8.self).split(separator: "\n")
        #expect(lines.count >= 4 && lines.contains { $0.contains("1  king") } && lines.contains { $0.contains("prince") },
                "\(lines)")
    }

    @Test("evaluate deniability, utility and audit write their tables for each mechanism and ε")
    func evaluate() throws {
        let folder = try TestData.temporaryFolder()
        defer { TestData.cleanUp(folder) }
        let out = folder.appendingPathComponent("out")
        _ = try Self.run(["evaluate", "deniability", "--mechanism", "laplace", "tem", "--epsilon", "5", "10",
                          "--words", "10", "--draws", "20", "--out", out.path] + Self.small, in: folder)
        let runs = try #require(try Self.json(out.appendingPathComponent("deniability.json")) as? [[String: Any]])
        #expect(Set(runs.map { "\($0["mechanism"]!) \($0["epsilon"]!)" }) == ["laplace 5", "laplace 10", "tem 5", "tem 10"])
        #expect(runs.allSatisfy { $0["status"] as? String == "ok" && ($0["per_word"] as? [Any])?.count == 10 })
        let csv = try String(contentsOf: out.appendingPathComponent("deniability.csv"), encoding: .utf8)
        #expect(csv.hasPrefix("mechanism,epsilon,words,draws,statistic") && csv.contains("tem,10,10,20,n_w"))

        _ = try Self.run(["evaluate", "utility", Self.corpus, "--mechanism", "laplace", "laplace+rank-softmax:c=0.5",
                          "laplace+rank-softmax:c=2", "--epsilon", "10", "--out", out.path] + Self.small, in: folder)
        let utility = try #require(try Self.json(out.appendingPathComponent("word_utility.json")) as? [[String: Any]])
        // Each label keeps its c, so runs with two c values do not overwrite each other.
        #expect(Set(utility.compactMap { $0["mechanism"] as? String })
                == ["laplace", "laplace+rank-softmax:c=0.5", "laplace+rank-softmax:c=2"], "\(utility)")

        _ = try Self.run(["evaluate", "audit", "--mechanism", "laplace", "--epsilon", "5", "--draws", "2000",
                          "--glove-draws", "1000", "--glove-words", "300", "--pairs", "1", "--out", out.path], in: folder)
        let audit = try #require(try Self.json(out.appendingPathComponent("audit.json")) as? [[String: Any]])
        #expect(audit.count == 2 && audit.allSatisfy { $0["is_violation"] as? Bool == false }, "\(audit)")
    }

    @Test("evaluate attack writes attack.csv: exact where the law is known, split-sample elsewhere, the shadow attack")
    func attack() throws {
        let folder = try TestData.temporaryFolder()
        defer { TestData.cleanUp(folder) }
        let out = folder.appendingPathComponent("out")
        _ = try Self.run(["evaluate", "attack", "--mechanism", "santext", "diffractor", "laplace", "laplace+rank-softmax:c=0.5",
                          "--epsilon", "4", "--words", "40", "--draws", "20", "--prior", "zipf", "--shadow", Self.corpus,
                          "--out", out.path] + Self.small, in: folder)
        let csv = try String(contentsOf: out.appendingPathComponent("attack.csv"), encoding: .utf8)
        let lines = csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        #expect(Array(lines[0].prefix(7)) == ["mechanism", "epsilon", "prior", "asr", "asr_low", "asr_high", "unchanged"])
        let column = { (name: String) in lines[0].firstIndex(of: name)! }
        let rows = Dictionary(uniqueKeysWithValues: lines.dropFirst().map { ($0[0], $0) })
        #expect(Set(rows.keys) == ["santext", "diffractor", "laplace", "laplace+rank-softmax:c=0.5"], "\(csv)")
        for (name, row) in rows {
            let method = row[column("method")], asr = Double(row[column("asr")])!
            #expect(method == (name.hasPrefix("laplace") ? "split-sample" : "exact"), "\(name)")
            #expect(Double(row[column("asr_low")])! <= asr && asr <= Double(row[column("asr_high")])!)
            #expect(row[column("prior")] == "zipf" && row[column("words")] == "40")
            #expect(Double(row[column("shadow_recovery")]) != nil && Int(row[column("shadow_tokens")])! > 100)
        }
        // The exact ASR is never below the trivial attack's success.
        for name in ["santext", "diffractor"] {
            #expect(Double(rows[name]![column("asr")])! >= Double(rows[name]![column("unchanged")])!)
        }
        let odd = try CommandLineTool.run(["evaluate", "attack", "--draws", "3", "--out", out.path])
        #expect(odd.status == 64 && odd.stderr.contains("--draws must be an even number"), "\(odd.stderr)")
        let unknown = try CommandLineTool.run(["evaluate", "attack", "--mechanism", "laplace+rank", "--out", out.path])
        #expect(unknown.status == 64 && unknown.stderr.contains("unknown --mechanism laplace+rank"), "\(unknown.stderr)")
    }

    @Test("bench privatize, neighbors, hnsw and suite print their rows")
    func bench() throws {
        let folder = try TestData.temporaryFolder()
        defer { TestData.cleanUp(folder) }
        var outcome = try Self.run(["bench", "privatize", Self.corpus, "--mechanism", "identity", "laplace",
                                    "--epsilon", "10", "--json"] + Self.small, in: folder)
        let rows = String(decoding: outcome.stdout, as: UTF8.self).split(separator: "\n")
            .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(rows.map { $0["mechanism"] as? String } == ["identity", "laplace"], "\(rows)")
        #expect(rows.allSatisfy { ($0["tokens"] as? Int ?? 0) > 1000 && $0["seeded"] as? Bool == false })

        outcome = try Self.run(["bench", "neighbors", "--queries", "50", "-k", "5"] + Self.small, in: folder)
        #expect(String(decoding: outcome.stdout, as: UTF8.self).contains("50 queries in"), "\(outcome.stdout)")

        outcome = try Self.run(["bench", "hnsw", "--words", "10", "--draws", "10", "--ef", "16"] + Self.small, in: folder)
        #expect(String(decoding: outcome.stdout, as: UTF8.self).contains("recall@1"))

        outcome = try Self.run(["bench", "suite", Self.corpus, "--seconds", "0.2", "--rank-c", "0.5"] + Self.small,
                               in: folder)
        let suite = String(decoding: outcome.stdout, as: UTF8.self)
        for descriptor in MechanismCatalog.all {
            #expect(suite.contains(descriptor.name), "the suite has no row for \(descriptor.name)")
        }
        #expect(suite.contains("laplace+rank-softmax:c=0.5"), "the suite has no rank-softmax row")
    }

    @Test("report merge sums the parts of one run; parts of different runs are refused")
    func reportMerge() throws {
        let folder = try TestData.temporaryFolder()
        defer { TestData.cleanUp(folder) }
        let text = Array("The man said that the people were here.\n".utf8)
        var parts: [String] = []
        for part in 0..<2 {
            let report = folder.appendingPathComponent("part\(part).json").path
            let outcome = try CommandLineTool.run(["privatize", "--epsilon", "10", "--report", report] + Self.small,
                                                  stdin: Array(repeating: text, count: part + 1).flatMap { $0 })
            #expect(outcome.status == 0, "\(outcome.stderr)")
            parts.append(report)
        }
        let merged = folder.appendingPathComponent("merged.json")
        let outcome = try CommandLineTool.run(["report", "merge"] + parts + ["-o", merged.path])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let counts = try #require((try Self.json(merged) as? [String: Any])?["counts"] as? [String: Any])
        #expect(counts["records"] as? Int == 3 && counts["tokens"] as? Int == 24)
        // Another ε is another run.
        let other = folder.appendingPathComponent("other.json").path
        _ = try CommandLineTool.run(["privatize", "--epsilon", "11", "--report", other] + Self.small, stdin: text)
        let refused = try CommandLineTool.run(["report", "merge", parts[0], other, "-o", merged.path])
        #expect(refused.status == 65 && refused.stderr.contains("differs"), "\(refused.stderr)")
    }

    @Test("OpenBLAS kernels: a restart only when OpenBLAS fell back to Prescott on a CPU it could run faster on")
    func blasRestartDecision() {
        let avx2 = ["avx2", "fma", "sse4_2"], avx512 = avx2 + ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]
        #expect(BLASKernels.preferredCoreType(environment: [:], coreName: "Prescott", flags: avx512) == "SkylakeX")
        #expect(BLASKernels.preferredCoreType(environment: [:], coreName: "Prescott", flags: avx2) == "Haswell")
        #expect(BLASKernels.preferredCoreType(environment: [:], coreName: "Prescott", flags: ["sse3"]) == nil)
        #expect(BLASKernels.preferredCoreType(environment: [:], coreName: "Haswell", flags: avx512) == nil)
        #expect(BLASKernels.preferredCoreType(environment: ["OPENBLAS_CORETYPE": "Prescott"], coreName: "Prescott",
                                              flags: avx512) == nil, "the user's choice stands")
    }

    @Test("OPENBLAS_CORETYPE chosen by the user is the kernel set the run reports")
    func blasCoreTypeIsHonoured() throws {
        let folder = try TestData.temporaryFolder()
        defer { TestData.cleanUp(folder) }
        let process = Process()
        process.executableURL = CommandLineTool.binary
        process.arguments = ["bench", "privatize", Self.corpus, "--mechanism", "identity", "--vocab-limit", "500"]
        process.environment = ProcessInfo.processInfo.environment.merging(
            ["DPTEXT_EMBEDDINGS": TestData.bundledStore, "OPENBLAS_CORETYPE": "Prescott"]) { $1 }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = Pipe()
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0 && text.contains("BLAS Prescott"), "\(text)")
    }
}
