import Foundation
import Synchronization

/// Tabulated shapes of the terms of the denoising posterior, for its
/// mixture proposal (`PosteriorProposal`).
///
/// Each kernel centre c contributes `exp(−‖y − c‖²/(2h²) − ε‖z − y‖)` to the
/// posterior. In coordinates around c — t, the position along the unit axis
/// â from c towards z, and ρ, the distance from that axis — with A = ‖z − c‖,
/// the term depends on (t, ρ) only, and the directions across the axis are
/// uniform: y = c + t·â + ρ·u, u uniform on the unit sphere orthogonal to â,
/// and the density of (t, ρ) is
///
///     g_A(t, ρ) ∝ ρ^{n−2} · exp(−(t² + ρ²)/(2h²) − ε·√((A − t)² + ρ²)).
///
/// In many dimensions ρ concentrates far from 0 (the ρ^{n−2} factor), which a
/// Gaussian around the mode misses badly; a table does not. `table(for:)`
/// gives g_A for A rounded to a multiple of `spacing`, as a grid of
/// `cells × cells` cells over ±8 standard deviations around its mode (from
/// the curvature there): each cell's mass by the midpoint rule, and the
/// total mass, up to a constant common to all A (the term's weight in the
/// mixture). Tables are built on first use and shared by every thread.
final class PosteriorComponentTables: Sendable {
    let dimension: Int
    let bandwidth: Double
    let epsilon: Double
    /// The rounding of A.
    let spacing: Double
    let cells: Int
    private let built = Mutex<[Int: Table]>([:])

    /// g_A on a grid: cell (i, j) spans `t0 + i·Δt …` and `ρ0 + j·Δρ …`.
    struct Table: Sendable {
        let t0: Double, deltaT: Double
        let rho0: Double, deltaRho: Double
        /// Cells along t and along ρ (1 in one dimension, where ρ is 0).
        let tCells: Int, rhoCells: Int
        /// Cell masses normalized to 1, row-major (i over t, j over ρ), and their running sums.
        let masses: [Double]
        let cumulative: [Double]
        /// ln of each cell's density in (t, ρ): ln(mass/(Δt·Δρ)); −∞ for an empty cell.
        let logDensities: [Double]
        /// ln of the total mass before normalizing: the term's weight.
        let logTotal: Double
    }

    init(dimension: Int, bandwidth: Double, epsilon: Double, spacing: Double = 0.02, cells: Int = 48) {
        (self.dimension, self.bandwidth, self.epsilon, self.spacing, self.cells) = (dimension, bandwidth, epsilon, spacing, cells)
    }

    /// The table of A rounded to `spacing` (A ≥ 0).
    func table(for distance: Double) -> Table {
        let key = Int((distance / spacing).rounded())
        if let table = built.withLock({ $0[key] }) { return table }
        let table = build(distance: Double(key) * spacing)
        built.withLock { $0[key] = table }
        return table
    }

    /// ln g_A(t, ρ), unnormalized (ρ > 0, or any ρ in one dimension, where it is 0).
    private func logDensity(t: Double, rho: Double, distance a: Double) -> Double {
        let h2 = bandwidth * bandwidth
        let radial = dimension >= 3 ? Double(dimension - 2) * log(rho) : 0
        return radial - (t * t + rho * rho) / (2 * h2) - epsilon * ((a - t) * (a - t) + rho * rho).squareRoot()
    }

    private func build(distance a: Double) -> Table {
        let h = bandwidth
        // The mode, by coordinate ascent on a coarse-to-fine scan (the density is smooth and unimodal in each coordinate).
        var t = min(a, epsilon * h * h), rho = dimension >= 2 ? h * Double(max(dimension - 2, 1)).squareRoot() : 0
        for span in [4.0, 1, 0.25, 0.0625, 0.015625] {
            for _ in 0..<3 {
                t = argmax(from: t - span * h, to: t + span * h) { logDensity(t: $0, rho: rho, distance: a) }
                if dimension >= 2 {
                    rho = argmax(from: max(1e-9, rho - span * h), to: rho + span * h) { logDensity(t: t, rho: $0, distance: a) }
                }
            }
        }
        // Standard deviations from the curvature at the mode (h as a floor: the kernel's own width).
        func deviation(_ f: (Double) -> Double, at x: Double) -> Double {
            let step = 1e-3 * h
            let curvature = (f(x + step) - 2 * f(x) + f(x - step)) / (step * step)
            return curvature < 0 ? min(1 / (-curvature).squareRoot(), 4 * h) : h
        }
        let sdT = deviation({ logDensity(t: $0, rho: rho, distance: a) }, at: t)
        let sdRho = dimension >= 2 ? deviation({ logDensity(t: t, rho: $0, distance: a) }, at: rho) : 0
        let t0 = t - 8 * sdT, deltaT = 16 * sdT / Double(cells)
        let rhoCells = dimension >= 2 ? cells : 1
        let rho0 = max(0, rho - 8 * sdRho), deltaRho = dimension >= 2 ? (rho + 8 * sdRho - rho0) / Double(cells) : 1
        var logMasses = [Double](repeating: -.infinity, count: cells * rhoCells)
        for i in 0..<cells {
            for j in 0..<rhoCells {
                let rhoMid = dimension >= 2 ? rho0 + (Double(j) + 0.5) * deltaRho : 0
                logMasses[i * rhoCells + j] = logDensity(t: t0 + (Double(i) + 0.5) * deltaT, rho: rhoMid, distance: a)
                    + log(deltaT * deltaRho)
            }
        }
        let largest = logMasses.max()!
        let sum = logMasses.reduce(0) { $0 + exp($1 - largest) }
        let logTotal = largest + log(sum)
        let masses = logMasses.map { exp($0 - logTotal) }
        var running = 0.0
        let cumulative = masses.map { running += $0; return running }
        let logDensities = masses.map { $0 > 0 ? log($0 / (deltaT * deltaRho)) : -.infinity }
        return Table(t0: t0, deltaT: deltaT, rho0: rho0, deltaRho: deltaRho, tCells: cells, rhoCells: rhoCells, masses: masses,
                     cumulative: cumulative, logDensities: logDensities, logTotal: logTotal)
    }

    /// The x in [low, high] maximizing f, by a 65-point scan.
    private func argmax(from low: Double, to high: Double, _ f: (Double) -> Double) -> Double {
        var best = low, bestValue = -Double.infinity
        for step in 0...64 {
            let x = low + (high - low) * Double(step) / 64
            let value = f(x)
            if value > bestValue { (best, bestValue) = (x, value) }
        }
        return best
    }
}
