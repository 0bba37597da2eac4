import ArgumentParser
import DPText

/// `--mechanism diffractor`: geometric noise on list positions.
struct DiffractorOptions: MechanismOptionGroup {
    static let mechanisms = ["diffractor"]
    typealias Parameter = DiffractorMechanism.Parameter

    @Option(help: ArgumentHelp(help(Parameter.lists, "diffractor"), valueName: "L"))
    var lists: Int?

    var parameterValues: [(parameter: MechanismParameter, value: Double?)] { [(Parameter.lists, lists.map(Double.init))] }
}
