import ArgumentParser

/// `--options NAME="OPTIONS"`: privatize options for one mechanism of a
/// command that runs several (evaluations and benchmarks), e.g.
/// `--options kde-mh="--burn-in 100 --steps 200" --options tem="--beta 0.01"`.
struct MechanismExtraOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "More privatize options for a mechanism, as NAME=\"OPTIONS\" (e.g. kde-mh=\"--steps 200\"); repeatable.",
        valueName: "name=options"))
    var options: [String] = []

    func validate() throws {
        for entry in options {
            guard let name = entry.split(separator: "=", maxSplits: 1).first, entry.contains("="),
                  MechanismOptions.names.contains(String(name)) else {
                throw ValidationError("--options takes NAME=\"OPTIONS\" with NAME a mechanism (got \(entry)).")
            }
        }
    }

    /// The options given for mechanism `name`, as arguments.
    func arguments(for name: String) -> [String] {
        options.filter { $0.hasPrefix(name + "=") }.flatMap { $0.dropFirst(name.count + 1).split(separator: " ").map(String.init) }
    }
}
