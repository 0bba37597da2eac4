import ArgumentParser
import DPText
import Foundation

/// `dptext mechanisms`: the catalog, for people and for tools (`--json`),
/// so that nothing outside the library keeps its own list of mechanisms.
struct MechanismsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mechanisms",
        abstract: "List the mechanisms: guarantee, parameters with ranges and defaults, ε grid.")

    @Flag(help: "Print JSON (one array) instead of the table.")
    var json = false

    func run() throws {
        if json {
            let data = try JSONSerialization.data(withJSONObject: MechanismCatalog.all.map(Self.object),
                                                  options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        for descriptor in MechanismCatalog.all {
            print("\(descriptor.name) — \(descriptor.summary)")
            print("    guarantee: \(descriptor.guaranteeKind)"
                  + (descriptor.unverifiedBecause.map { " (\($0); needs --allow-unverified)" } ?? ""))
            for parameter in descriptor.parameters {
                print("    \(Self.flag(parameter)) \(parameter.symbol): \(parameter.meaning); \(parameter.range.description)"
                      + (parameter.defaultDescription.map { ", default \($0)" } ?? ""))
            }
            for (name, values) in descriptor.choices.sorted(by: { $0.key < $1.key }) {
                print("    --\(name) \(values.joined(separator: "|")) (default \(values[0]))")
            }
            print("    ε grid: \(Self.grid(descriptor.epsilonGrid)); cost: \(descriptor.cost.rawValue)")
        }
    }

    static func flag(_ parameter: MechanismParameter) -> String { MechanismOptions.flag(forParameter: parameter.name) }

    static func grid(_ grid: MechanismDescriptor.EpsilonGrid) -> String {
        switch grid {
        case .values(let values): return values.map(ParameterRange.format).joined(separator: ", ")
        case .multiplesOfMinimum(let multiples):
            return multiples.map(ParameterRange.format).joined(separator: ", ") + " × its smallest valid ε"
        case .none: return "none (no ε)"
        }
    }

    /// One mechanism as JSON.
    static func object(_ descriptor: MechanismDescriptor) -> [String: Any] {
        var grid: [String: Any] = [:]
        switch descriptor.epsilonGrid {
        case .values(let values): grid = ["values": values]
        case .multiplesOfMinimum(let multiples): grid = ["multiples_of_minimum": multiples]
        case .none: grid = [:]
        }
        let parameters: [[String: Any]] = descriptor.parameters.map { parameter in
            var object: [String: Any] = [
                "name": parameter.name, "flag": flag(parameter), "symbol": parameter.symbol, "meaning": parameter.meaning,
                "range": ["lower": parameter.range.lower, "upper": parameter.range.upper,
                          "includes_lower": parameter.range.includesLower, "includes_upper": parameter.range.includesUpper],
                "integer": parameter.isInteger,
            ]
            object["default"] = parameter.defaultValue ?? parameter.defaultNote
            return object
        }
        var object: [String: Any] = [
            "name": descriptor.name, "summary": descriptor.summary, "guarantee_kind": descriptor.guaranteeKind,
            "takes_epsilon": descriptor.takesEpsilon, "decodes_points": descriptor.decodesPoints,
            "cost": descriptor.cost.rawValue, "epsilon_grid": grid, "parameters": parameters,
            "choices": descriptor.choices,
            "flags": descriptor.parameters.map(flag) + descriptor.choices.keys.sorted().map { "--" + $0 },
        ]
        object["unverified_because"] = descriptor.unverifiedBecause
        return object
    }
}
