#pragma once
// The inflation height field: a Poisson problem on the silhouette, solved on a regular 2D grid with the boundary
// located between grid points (sub-cell Dirichlet condition), by conjugate gradients preconditioned with a
// geometric multigrid V-cycle. Internal to the inflate backend.

#include <functional>
#include <vector>

namespace orfeas::inflate {

struct PoissonProblem {
    int nx = 0, ny = 0; // grid points; point (i, j) is at index j * nx + i
    double spacing = 1; // distance between neighbouring points (world units)
    // Signed distance to the silhouette at every point (world units, positive inside). Points with a positive
    // value are unknowns; the boundary lies where linear interpolation between neighbours crosses zero.
    std::vector<float> signedDistance;
    double source = 4; // solves  -Laplacian(u) = source  inside, u = 0 on the boundary
    double tolerance = 1e-7; // stop when |residual| <= tolerance * |right-hand side|
    int maxIterations = 100;
};

struct PoissonSolution {
    std::vector<double> values; // u at every point, 0 outside
    int iterations = 0;
    double relativeResidual = 0;
    std::size_t unknowns = 0;
};

// Solves the problem. `poll` is called once per iteration and may throw to abandon the solve (cancellation).
// Throws std::invalid_argument for inconsistent sizes. Thread-safe (no shared state).
PoissonSolution solvePoisson(const PoissonProblem& problem, const std::function<void(int iteration)>& poll = {});

// Fraction (0, 1] of the way from an inside point (distance dIn > 0) to an outside neighbour (dOut <= 0) where the
// boundary lies, kept away from 0 so that the discrete operator stays well conditioned.
double boundaryFraction(double dIn, double dOut) noexcept;

} // namespace orfeas::inflate
