import Foundation
import Testing
@testable import DPText

/// Every mechanism through `dptext privatize`: seeded output independent of
/// threads, clear errors for bad parameters (64), and the unprotected tokens
/// of the partial mechanisms counted against the limit.
@Suite("dptext privatize with every mechanism", .serialized)
struct MechanismCommandTests {
    static let sample = TestData.repository.appendingPathComponent("Corpora/mixed-layout.txt").path
    /// The store's 5,000 most frequent words: the same mechanisms, caches quick to build in a debug build.
    static let store = ["--vocab-limit", "5000"]

    /// Every mechanism of the catalog at an ε of its grid — a new one cannot be missed — and a few
    /// with their own options set.
    static let runs: [[String]] = MechanismCatalog.privatizing.map { descriptor in
        let epsilon: String
        switch descriptor.epsilonGrid {
        case .values(let grid): epsilon = "\(grid[grid.count / 2])"
        case .multiplesOfMinimum, .none: epsilon = "100000"  // far above any minimum on these 5,000 words
        }
        var arguments = ["--mechanism", descriptor.name, "--epsilon", epsilon, "--max-unprotected-fraction", "1"]
        if descriptor.unverifiedBecause != nil { arguments.append("--allow-unverified") }
        if descriptor.cost == .chain { arguments += ["--steps", "5"] }
        return arguments
    } + [
        ["--mechanism", "tem", "--epsilon", "3", "--beta", "0.01"],
        ["--mechanism", "custext", "--epsilon", "3", "--top-k", "10"],
        ["--mechanism", "mahalanobis", "--epsilon", "10", "--lambda", "0.5"],
        ["--mechanism", "vickrey", "--epsilon", "12", "--vickrey-t", "0.3"],
        ["--mechanism", "truncated-laplace", "--epsilon", "8", "--max-distance", "4.5"],
        ["--mechanism", "diffractor", "--epsilon", "1", "--lists", "2"],
        ["--mechanism", "laplace", "--epsilon", "10", "--post-process", "rank-softmax", "--rank-c", "0.2"],
        ["--mechanism", "vickrey", "--epsilon", "10", "--post-process", "rank-softmax"],
        ["--mechanism", "santext", "--epsilon", "3", "--post-process", "rank-softmax", "--rank-c", "0.05"],
    ]

    @Test("seeded runs are byte-identical across thread counts", arguments: runs)
    func seededAcrossThreads(arguments: [String]) throws {
        let base = ["privatize", Self.sample, "--seed", "5", "--max-unprotected-fraction", "1"] + Self.store + arguments
        let one = try CommandLineTool.run(base + ["--threads", "1"])
        let two = try CommandLineTool.run(base + ["--threads", "2"])
        #expect(one.status == 0, "\(one.stderr)")
        #expect(one.stdout == two.stdout && !one.stdout.isEmpty)
        #expect(one.stdout != Array(try Data(contentsOf: URL(fileURLWithPath: Self.sample))))
    }

    @Test(arguments: [
        (["--mechanism", "tem", "--epsilon", "1", "--beta", "2"], "--beta must be a number in (0, 1) (got 2.0)"),
        (["--mechanism", "custext", "--epsilon", "1", "--top-k", "0"], "--top-k must be a whole number in [2, 1000] (got 0.0)"),
        (["--mechanism", "mahalanobis", "--epsilon", "1", "--lambda", "1.5"], "--lambda must be a number in [0, 1]"),
        (["--mechanism", "vickrey", "--epsilon", "1", "--vickrey-t", "1.5"], "--vickrey-t must be a number in [0, 1]"),
        (["--mechanism", "santext-plus", "--epsilon", "1", "--sensitive-fraction", "0"], "--sensitive-fraction must be"),
        (["--mechanism", "santext-plus", "--epsilon", "1", "--sample-probability", "2"], "--sample-probability must be"),
        (["--mechanism", "santext", "--epsilon", "1", "--sample-probability", "0.5"],
         "--sample-probability applies to --mechanism santext-plus, not santext"),
        (["--mechanism", "laplace", "--epsilon", "1", "--beta", "0.1"], "--beta applies to --mechanism tem, not laplace"),
        (["--mechanism", "tem", "--epsilon", "1", "--lambda", "0.1"], "--lambda applies to --mechanism mahalanobis, not tem"),
        (["--mechanism", "custext", "--epsilon", "1", "--decoder", "hnsw"], "--mechanism custext decodes no noisy vectors"),
        (["--mechanism", "tem"], "--mechanism tem needs --epsilon"),
        (["--mechanism", "diffractor", "--epsilon", "1", "--lists", "0"], "--lists must be a whole number in [1, 64]"),
        (["--epsilon", "1", "--rank-c", "2"], "--rank-c applies to --post-process rank-softmax"),
        (["--epsilon", "1", "--post-process", "rank-softmax", "--rank-c", "0"], "--rank-c must be a number in [0.001, 1000]"),
        (["--mechanism", "identity", "--post-process", "rank-softmax"], "--post-process rank-softmax needs a mechanism"),
        // Values that crashed or exhausted memory before they were checked against their ranges.
        (["--epsilon", "1e-100"], "--epsilon must be a number in [1e-06, 1e+09] (got 1e-100)"),
        (["--mechanism", "kde-mh", "--epsilon", "1e-30"], "--epsilon must be a number in [1e-06, 1e+09]"),
        (["--mechanism", "kde-mh", "--epsilon", "10", "--bandwidth", "1e-300"], "--bandwidth must be a number in [1e-06, 1e+06]"),
        (["--mechanism", "kde-mh", "--epsilon", "10", "--burn-in", "9223372036854775807"],
         "--burn-in must be a whole number in [0, 1e+06]"),
        (["--mechanism", "custext", "--epsilon", "10", "--top-k", "100000"], "--top-k must be a whole number in [2, 1000]"),
        (["--mechanism", "truncated-laplace", "--epsilon", "10", "--max-noise", "inf"], "--max-noise must be a number in (0, 1e+15]"),
        (["--decoder", "hnsw", "--hnsw-ef", "0", "--epsilon", "10"], "--hnsw-ef must be a whole number in [1, 100000]"),
    ] as [([String], String)])
    func parameterErrors(arguments: [String], message: String) throws {
        let outcome = try CommandLineTool.run(["privatize", Self.sample] + Self.store + arguments)
        #expect(outcome.status == 64 && outcome.stderr.contains(message), "\(outcome.stderr)")
    }

    @Test("ε at both ends of its range runs for every kind of mechanism (no crash, no overflow)", arguments: [
        ["--mechanism", "laplace"], ["--mechanism", "kde-mh", "--steps", "3"], ["--mechanism", "tem"],
        ["--mechanism", "custext"], ["--mechanism", "vickrey"], ["--mechanism", "mahalanobis"],
    ])
    func epsilonRangeEnds(arguments: [String]) throws {
        for epsilon in ["1e-6", "1e9"] {
            let outcome = try CommandLineTool.run(["privatize", "--seed", "1", "--epsilon", epsilon] + Self.store + arguments,
                                                  stdin: Array("The man said that the people were here.\n".utf8))
            #expect(outcome.status == 0, "ε = \(epsilon) \(arguments): \(outcome.stderr)")
            #expect(String(decoding: outcome.stdout, as: UTF8.self).split(separator: " ").count == 8)
            // Almost no noise at ε = 10⁹ (TEM keeps β = 0.001 of its mass on the tail at every ε: not checked).
            if epsilon == "1e9" && !arguments.contains("tem") {
                #expect(outcome.stdout == Array("The man said that the people were here.\n".utf8), "\(arguments)")
            }
        }
    }

    @Test("rank-softmax: the report names the step and keeps the mechanism's guarantee")
    func postProcessingInTheReport() throws {
        let folder = try TestData.temporaryFolder()
        defer { TestData.cleanUp(folder) }
        let report = folder.appendingPathComponent("report.json").path
        let outcome = try CommandLineTool.run(["privatize", Self.sample, "-o", folder.appendingPathComponent("out.txt").path,
                                               "--epsilon", "8", "--post-process", "rank-softmax", "--rank-c", "0.3",
                                               "--report", report] + Self.store)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report))) as! [String: Any]
        let mechanism = json["mechanism"] as! [String: Any]
        #expect(mechanism["name"] as? String == "laplace+rank-softmax")
        #expect((mechanism["parameters"] as? [String: Double]) == ["epsilon": 8, "rank_c": 0.3])
        #expect((mechanism["guarantee"] as! [String: Any])["kind"] as? String == "pure-metric")
        #expect((mechanism["post_processing"] as? [String])?.first?.contains("rank-softmax") == true, "\(mechanism)")
    }

    @Test("a partial mechanism's uncovered tokens are unprotected: over the default limit, no output")
    func partialMechanismsMeetTheLimit() throws {
        let folder = try TestData.temporaryFolder()
        defer { TestData.cleanUp(folder) }
        let output = folder.appendingPathComponent("out.txt").path
        let outcome = try CommandLineTool.run(["privatize", Self.sample, "-o", output, "--mechanism", "santext-plus",
                                               "--epsilon", "5", "--seed", "1"] + Self.store)
        #expect(outcome.status == 65 && outcome.stderr.contains("words the mechanism does not cover"), "\(outcome.stderr)")
        #expect(!FileManager.default.fileExists(atPath: output))
        let report = folder.appendingPathComponent("report.json").path
        let allowed = try CommandLineTool.run(["privatize", Self.sample, "-o", output, "--mechanism", "custext-plus",
                                               "--epsilon", "5", "--seed", "1", "--max-unprotected-fraction", "1",
                                               "--report", report] + Self.store)
        #expect(allowed.status == 0, "\(allowed.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report))) as! [String: Any]
        let counts = json["counts"] as! [String: Any], privacy = json["privacy"] as! [String: Any]
        #expect((counts["kept_by_mechanism"] as! Int) > 100)
        #expect((privacy["not_protected"] as! [String])[0].hasPrefix("the 258 stopwords"))
        #expect(((json["mechanism"] as! [String: Any])["guarantee"] as! [String: Any])["kind"] as? String
                == "partial pure-within-groups")
    }
}
