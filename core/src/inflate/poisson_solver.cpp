#include "inflate/poisson_solver.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>

namespace orfeas::inflate {

namespace {

constexpr double kMinFraction = 0.02;
constexpr int kSmoothingSweeps = 2;
constexpr int kCoarsestSweeps = 30;
constexpr int kMinCoarseSide = 5;

// One grid of the multigrid hierarchy. The operator is the 5-point Laplacian where all neighbours are unknowns;
// towards a neighbour across the boundary the ghost value is extrapolated linearly through the boundary point
// (Gibou et al., "A second-order-accurate symmetric discretization of the Poisson equation on irregular domains"),
// which only changes the diagonal and keeps the matrix symmetric positive definite:
//   (A u)_k = (diag_k u_k - sum of inside neighbours u_j) / h^2,   diag_k = sum over neighbours of (1 or 1/theta).
struct Level {
    int nx = 0, ny = 0;
    double h = 1;
    std::vector<float> sdf;
    std::vector<std::uint8_t> inside;
    std::vector<double> diag;
    std::vector<std::int32_t> red, black; // inside points by checkerboard colour, for Gauss-Seidel
    std::vector<double> u, b, r; // work arrays of the V-cycle

    std::size_t size() const { return std::size_t(nx) * std::size_t(ny); }
};

void buildOperator(Level& level)
{
    const int nx = level.nx, ny = level.ny;
    level.inside.assign(level.size(), 0);
    for (int j = 1; j + 1 < ny; ++j)
        for (int i = 1; i + 1 < nx; ++i) {
            const std::size_t k = std::size_t(j) * nx + i;
            level.inside[k] = level.sdf[k] > 0.0f ? 1 : 0;
        }
    level.diag.assign(level.size(), 0.0);
    level.red.clear();
    level.black.clear();
    const std::ptrdiff_t offsets[4] = { -1, 1, -std::ptrdiff_t(nx), std::ptrdiff_t(nx) };
    for (int j = 1; j + 1 < ny; ++j)
        for (int i = 1; i + 1 < nx; ++i) {
            const std::size_t k = std::size_t(j) * nx + i;
            if (!level.inside[k])
                continue;
            double d = 0;
            for (const std::ptrdiff_t o : offsets) {
                const std::size_t n = std::size_t(std::ptrdiff_t(k) + o);
                d += level.inside[n] ? 1.0 : 1.0 / boundaryFraction(level.sdf[k], level.sdf[n]);
            }
            level.diag[k] = d;
            ((i + j) % 2 == 0 ? level.red : level.black).push_back(std::int32_t(k));
        }
    level.u.assign(level.size(), 0.0);
    level.b.assign(level.size(), 0.0);
    level.r.assign(level.size(), 0.0);
}

inline double neighbourSum(const std::vector<double>& u, std::size_t k, int nx)
{
    return u[k - 1] + u[k + 1] + u[k - nx] + u[k + nx];
}

void sweep(Level& level, const std::vector<std::int32_t>& points)
{
    const double h2 = level.h * level.h;
    for (const std::int32_t p : points) {
        const std::size_t k = std::size_t(p);
        level.u[k] = (h2 * level.b[k] + neighbourSum(level.u, k, level.nx)) / level.diag[k];
    }
}

// out = b - A u on the inside points (0 elsewhere).
void residual(const Level& level, const std::vector<double>& u, const std::vector<double>& b, std::vector<double>& out)
{
    const double invH2 = 1.0 / (level.h * level.h);
    for (const auto* list : { &level.red, &level.black })
        for (const std::int32_t p : *list) {
            const std::size_t k = std::size_t(p);
            out[k] = b[k] - (level.diag[k] * u[k] - neighbourSum(u, k, level.nx)) * invH2;
        }
}

void applyOperator(const Level& level, const std::vector<double>& u, std::vector<double>& out)
{
    const double invH2 = 1.0 / (level.h * level.h);
    for (const auto* list : { &level.red, &level.black })
        for (const std::int32_t p : *list) {
            const std::size_t k = std::size_t(p);
            out[k] = (level.diag[k] * u[k] - neighbourSum(u, k, level.nx)) * invH2;
        }
}

// Full weighting of the fine residual onto the coarse right-hand side (coarse point I sits on fine point 2I).
void restrictResidual(const Level& fine, Level& coarse)
{
    std::fill(coarse.b.begin(), coarse.b.end(), 0.0);
    static constexpr double w[3] = { 0.25, 0.5, 0.25 };
    for (const auto* list : { &coarse.red, &coarse.black })
        for (const std::int32_t p : *list) {
            const int I = p % coarse.nx, J = p / coarse.nx;
            double sum = 0;
            for (int dj = -1; dj <= 1; ++dj)
                for (int di = -1; di <= 1; ++di) {
                    const std::size_t k = std::size_t(2 * J + dj) * fine.nx + std::size_t(2 * I + di);
                    sum += w[di + 1] * w[dj + 1] * fine.r[k];
                }
            coarse.b[std::size_t(p)] = sum;
        }
}

// Bilinear interpolation of the coarse correction, added to the fine inside points.
void prolongAdd(const Level& coarse, Level& fine)
{
    for (const auto* list : { &fine.red, &fine.black })
        for (const std::int32_t p : *list) {
            const int i = p % fine.nx, j = p / fine.nx;
            const int I = i / 2, J = j / 2;
            const int di = i % 2, dj = j % 2;
            const std::size_t c = std::size_t(J) * coarse.nx + std::size_t(I);
            double e = coarse.u[c];
            if (di && dj)
                e = 0.25 * (coarse.u[c] + coarse.u[c + 1] + coarse.u[c + coarse.nx] + coarse.u[c + coarse.nx + 1]);
            else if (di)
                e = 0.5 * (coarse.u[c] + coarse.u[c + 1]);
            else if (dj)
                e = 0.5 * (coarse.u[c] + coarse.u[c + coarse.nx]);
            fine.u[std::size_t(p)] += e;
        }
}

// One symmetric V-cycle on levels[l] with zero initial guess: approximately solves A u = b (b already set).
void vCycle(std::vector<Level>& levels, std::size_t l)
{
    Level& level = levels[l];
    std::fill(level.u.begin(), level.u.end(), 0.0);
    if (l + 1 == levels.size()) {
        for (int s = 0; s < kCoarsestSweeps; ++s) {
            sweep(level, level.red);
            sweep(level, level.black);
        }
        for (int s = 0; s < kCoarsestSweeps; ++s) {
            sweep(level, level.black);
            sweep(level, level.red);
        }
        return;
    }
    for (int s = 0; s < kSmoothingSweeps; ++s) {
        sweep(level, level.red);
        sweep(level, level.black);
    }
    residual(level, level.u, level.b, level.r);
    restrictResidual(level, levels[l + 1]);
    vCycle(levels, l + 1);
    prolongAdd(levels[l + 1], level);
    for (int s = 0; s < kSmoothingSweeps; ++s) {
        sweep(level, level.black);
        sweep(level, level.red);
    }
}

std::vector<Level> buildHierarchy(const PoissonProblem& problem)
{
    std::vector<Level> levels;
    Level fine;
    fine.nx = problem.nx;
    fine.ny = problem.ny;
    fine.h = problem.spacing;
    fine.sdf = problem.signedDistance;
    buildOperator(fine);
    levels.push_back(std::move(fine));
    for (;;) {
        const Level& f = levels.back();
        const int cnx = (f.nx + 1) / 2, cny = (f.ny + 1) / 2;
        if (std::min(cnx, cny) < kMinCoarseSide)
            break;
        Level c;
        c.nx = cnx;
        c.ny = cny;
        c.h = f.h * 2;
        c.sdf.resize(c.size());
        for (int J = 0; J < cny; ++J)
            for (int I = 0; I < cnx; ++I)
                c.sdf[std::size_t(J) * cnx + I] = f.sdf[std::size_t(2 * J) * f.nx + std::size_t(2 * I)];
        buildOperator(c);
        if (c.red.size() + c.black.size() == 0)
            break;
        levels.push_back(std::move(c));
    }
    return levels;
}

double dot(const Level& level, const std::vector<double>& a, const std::vector<double>& b)
{
    double s = 0;
    for (const auto* list : { &level.red, &level.black })
        for (const std::int32_t p : *list)
            s += a[std::size_t(p)] * b[std::size_t(p)];
    return s;
}

} // namespace

double boundaryFraction(double dIn, double dOut) noexcept
{
    const double denom = dIn - dOut;
    const double theta = denom > 0 ? dIn / denom : 1.0;
    return std::clamp(theta, kMinFraction, 1.0);
}

PoissonSolution solvePoisson(const PoissonProblem& problem, const std::function<void(int)>& poll)
{
    if (problem.nx < 3 || problem.ny < 3
        || problem.signedDistance.size() != std::size_t(problem.nx) * std::size_t(problem.ny) || !(problem.spacing > 0))
        throw std::invalid_argument("solvePoisson: inconsistent grid");

    std::vector<Level> levels = buildHierarchy(problem);
    Level& fine = levels.front();
    PoissonSolution out;
    out.values.assign(fine.size(), 0.0);
    out.unknowns = fine.red.size() + fine.black.size();
    if (out.unknowns == 0)
        return out;

    // Flexible preconditioned conjugate gradients (Polak-Ribiere beta): robust even where the coarse grids
    // resolve thin parts of the silhouette badly and the V-cycle is a weaker preconditioner.
    std::vector<double>& x = out.values;
    std::vector<double> rhs(fine.size(), 0.0), r(fine.size(), 0.0), z(fine.size(), 0.0), zOld(fine.size(), 0.0),
        p(fine.size(), 0.0), ap(fine.size(), 0.0);
    for (const auto* list : { &fine.red, &fine.black })
        for (const std::int32_t k : *list)
            rhs[std::size_t(k)] = problem.source;
    r = rhs;
    const double rhsNorm = std::sqrt(dot(fine, rhs, rhs));
    auto precondition = [&](const std::vector<double>& in, std::vector<double>& result) {
        fine.b = in;
        vCycle(levels, 0);
        result = fine.u;
    };
    precondition(r, z);
    p = z;
    double rz = dot(fine, r, z);
    out.relativeResidual = 1.0;
    for (int it = 1; it <= problem.maxIterations; ++it) {
        if (poll)
            poll(it);
        applyOperator(fine, p, ap);
        const double pap = dot(fine, p, ap);
        if (!(pap > 0))
            break;
        const double alpha = rz / pap;
        for (const auto* list : { &fine.red, &fine.black })
            for (const std::int32_t k : *list) {
                x[std::size_t(k)] += alpha * p[std::size_t(k)];
                r[std::size_t(k)] -= alpha * ap[std::size_t(k)];
            }
        out.iterations = it;
        out.relativeResidual = std::sqrt(dot(fine, r, r)) / rhsNorm;
        if (out.relativeResidual <= problem.tolerance)
            break;
        zOld.swap(z);
        precondition(r, z);
        double rzNew = 0, rzOldNew = 0;
        for (const auto* list : { &fine.red, &fine.black })
            for (const std::int32_t k : *list) {
                rzNew += r[std::size_t(k)] * z[std::size_t(k)];
                rzOldNew += r[std::size_t(k)] * zOld[std::size_t(k)];
            }
        const double beta = (rzNew - rzOldNew) / rz;
        rz = rzNew;
        for (const auto* list : { &fine.red, &fine.black })
            for (const std::int32_t k : *list)
                p[std::size_t(k)] = z[std::size_t(k)] + beta * p[std::size_t(k)];
    }
    return out;
}

} // namespace orfeas::inflate
