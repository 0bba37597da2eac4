import Foundation

/// A mixture close to the denoising posterior
///
///     π(y | z) ∝ Σ_c exp(−‖y − c‖²/(2h²)) · exp(−ε‖z − y‖),
///
/// one component per kernel centre c, each the term's own shape read from
/// `PosteriorComponentTables` (exact up to the table's cells and the
/// rounding of ‖z − c‖), weighted by the term's mass: the independence
/// proposal that lets the Metropolis–Hastings chain jump between the
/// posterior's modes, and the proposal of the importance-sampling reference
/// its tests compare with. Any proposal keeps the chain's target exact; this
/// one makes it mix in a few moves.
///
/// A draw: a component by weight, a cell of its table by mass and a uniform
/// point (t, ρ) in the cell, a uniform direction u across the component's
/// axis â: y = c + t·â + ρ·u. Its density, up to a constant common to all y,
/// is `Σ_c w_c·g_c(t_c(y), ρ_c(y)) / ρ_c(y)^{n−2}`.
struct PosteriorProposal {
    let dimension: Int
    /// Centres and unit axes â (towards z), `M × n` row-major.
    let centers: [Double]
    let axes: [Double]
    /// The same, eight rows side by side for `logDensity`'s sums.
    private let centerLanes: KernelLanes
    private let axisLanes: KernelLanes
    let tables: [PosteriorComponentTables.Table]
    /// ln of the normalized component weights, and their running sums.
    let logWeights: [Double]
    let cumulativeWeights: [Double]

    init(observation z: [Double], centers: [Double], tables: PosteriorComponentTables) {
        let n = z.count, count = centers.count / n
        var axes = [Double](repeating: 0, count: count * n)
        var components: [PosteriorComponentTables.Table] = []
        components.reserveCapacity(count)
        for c in 0..<count {
            var length = 0.0
            for j in 0..<n { length += (z[j] - centers[c * n + j]) * (z[j] - centers[c * n + j]) }
            length = length.squareRoot()
            for j in 0..<n { axes[c * n + j] = length > 0 ? (z[j] - centers[c * n + j]) / length : (j == 0 ? 1 : 0) }
            components.append(tables.table(for: length))
        }
        let raw = components.map(\.logTotal)
        let largest = raw.max() ?? 0
        let total = raw.reduce(0) { $0 + exp($1 - largest) }
        logWeights = raw.map { $0 - largest - log(total) }
        var running = 0.0
        cumulativeWeights = logWeights.map { running += exp($0); return running }
        (self.dimension, self.centers, self.axes, self.tables) = (n, centers, axes, components)
        (centerLanes, axisLanes) = (KernelLanes(rows: centers, dimension: n), KernelLanes(rows: axes, dimension: n))
    }

    /// One draw from three uniforms (component, cell, and the point's place
    /// in it: two more) and n standard normals (the direction).
    func sample(uniforms: (Double, Double, Double, Double), normals: UnsafeBufferPointer<Double>,
                into y: UnsafeMutableBufferPointer<Double>) {
        let c = Self.index(of: uniforms.0 * cumulativeWeights[cumulativeWeights.count - 1], in: cumulativeWeights)
        let table = tables[c]
        let cell = Self.index(of: uniforms.1 * table.cumulative[table.cumulative.count - 1], in: table.cumulative)
        let (i, j) = (cell / table.rhoCells, cell % table.rhoCells)
        let t = table.t0 + (Double(i) + uniforms.2) * table.deltaT
        let n = dimension
        var projection = 0.0
        for k in 0..<n { projection += normals[k] * axes[c * n + k] }
        var across = 0.0
        for k in 0..<n {
            let component = normals[k] - projection * axes[c * n + k]
            across += component * component
        }
        let rho = n >= 2 ? table.rho0 + (Double(j) + uniforms.3) * table.deltaRho : 0
        let scale = across > 0 ? rho / across.squareRoot() : 0
        for k in 0..<n {
            y[k] = centers[c * n + k] + t * axes[c * n + k] + scale * (normals[k] - projection * axes[c * n + k])
        }
    }

    /// ln q(y), up to a constant that is the same for every y.
    func logDensity(_ y: UnsafeBufferPointer<Double>) -> Double {
        let n = dimension
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: 3 * max(1, tables.count)) { scratch in
        tables.withUnsafeBufferPointer { tables in
            let count = tables.count
            let terms = UnsafeMutableBufferPointer(rebasing: scratch[0..<count])
            let squares = UnsafeMutableBufferPointer(rebasing: scratch[count..<2 * count])
            let projections = UnsafeMutableBufferPointer(rebasing: scratch[2 * count..<3 * count])
            centerLanes.squaredDistancesAndProjections(from: y, along: axisLanes, squared: squares, projections: projections)
            var largest = -Double.infinity
            for c in 0..<count {
                terms[c] = -.infinity
                let squared = squares[c], t = projections[c]
                let rho = max(0, squared - t * t).squareRoot()
                let i = Int(((t - tables[c].t0) / tables[c].deltaT).rounded(.down))
                let j = n >= 2 ? Int(((rho - tables[c].rho0) / tables[c].deltaRho).rounded(.down)) : 0
                guard i >= 0, i < tables[c].tCells, j >= 0, j < tables[c].rhoCells, rho > 0 || n == 1 else { continue }
                let radial = n >= 3 ? Double(n - 2) * log(rho) : 0
                terms[c] = logWeights[c] + tables[c].logDensities[i * tables[c].rhoCells + j] - radial
                largest = max(largest, terms[c])
            }
            guard largest > -.infinity else { return -.infinity }
            var sum = 0.0
            for c in 0..<count { sum += exp(terms[c] - largest) }
            return largest + log(sum)
        }}
    }

    /// The first index whose running sum passes u.
    private static func index(of u: Double, in cumulative: [Double]) -> Int {
        var low = 0, high = cumulative.count - 1
        while low < high {
            let middle = (low + high) / 2
            if u < cumulative[middle] { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
