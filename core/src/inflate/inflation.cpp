#include "inflate/inflation.h"

#include "orfeas/errors.h"
#include "orfeas/settings.h"

#include "inflate/poisson_solver.h"
#include "inflate/signed_distance.h"

#include <algorithm>
#include <cmath>
#include <new>
#include <optional>
#include <string>

namespace orfeas::inflate {

namespace {

constexpr Stage kStage = Stage::ShapeGeneration;
// Source term of the Poisson problem: -Laplacian(R^2 - r^2) = 4, so a disk inflates to a sphere.
constexpr double kSource = 4.0;
// Share of the stage's progress spent before / in the solve; the rest fills the volume.
constexpr double kProgressSolveStart = 0.15;
constexpr double kProgressSolveEnd = 0.6;

struct Grid2D {
    int nx = 0, ny = 0; // points; index j * nx + i
    double spacing = 0;
    double x0 = 0, y0 = 0; // world position of point (0, 0)
};

void report(RunContext* ctx, double fraction, const std::string& message)
{
    if (ctx)
        ctx->progress(kStage, fraction, message);
}

void checkCancelled(RunContext* ctx)
{
    if (ctx)
        ctx->throwIfCancelled(kStage);
}

// The 2D profile P(x, y) = thickness^2 * h inside, extended outside so that the zero crossing between an inside
// point and an outside neighbour lies where the signed distance puts the silhouette.
std::vector<double> buildProfile(
    const Grid2D& grid, const std::vector<float>& sdf, const std::vector<double>& h, double thickness2)
{
    const int nx = grid.nx, ny = grid.ny;
    std::vector<double> profile(h.size(), 0.0);
    std::vector<double> extrapolated(h.size(), 0.0);
    std::vector<int> extrapolatedCount(h.size(), 0);
    double gradientSum = 0;
    std::size_t gradientCount = 0;
    const int di[4] = { -1, 1, 0, 0 };
    const int dj[4] = { 0, 0, -1, 1 };
    for (int j = 1; j + 1 < ny; ++j)
        for (int i = 1; i + 1 < nx; ++i) {
            const std::size_t k = std::size_t(j) * nx + i;
            if (!(sdf[k] > 0.0f))
                continue;
            profile[k] = thickness2 * h[k];
            for (int d = 0; d < 4; ++d) {
                const std::size_t n = std::size_t(j + dj[d]) * nx + std::size_t(i + di[d]);
                if (sdf[n] > 0.0f)
                    continue;
                // h is linear across the boundary to first order: continue the line through (0, h_k), (theta, 0).
                const double theta = boundaryFraction(sdf[k], sdf[n]);
                extrapolated[n] += -thickness2 * h[k] * (1.0 - theta) / theta;
                ++extrapolatedCount[n];
                gradientSum += h[k] / (theta * grid.spacing);
                ++gradientCount;
            }
        }
    // Points farther out only need a negative value; continuing with the mean boundary slope keeps the field smooth.
    const double slope = gradientCount ? thickness2 * gradientSum / double(gradientCount) : thickness2;
    for (std::size_t k = 0; k < h.size(); ++k) {
        if (sdf[k] > 0.0f)
            continue;
        profile[k]
            = extrapolatedCount[k] ? extrapolated[k] / extrapolatedCount[k] : std::min(double(sdf[k]) * slope, -1e-6);
    }
    return profile;
}

} // namespace

ShapeResult inflateMask(const Mask8& mask, const InflateParams& params, RunContext* ctx)
{
    if (!mask.isValid())
        throw BadInputError("the subject mask is missing or has inconsistent dimensions", {}, kStage);
    if (params.resolution < 8 || params.resolution > Limits::kMaxResolution)
        throw ConfigError("resolution must be between 8 and " + std::to_string(Limits::kMaxResolution) + " (got "
            + std::to_string(params.resolution) + ")");
    if (!std::isfinite(params.thickness) || params.thickness < 0.05f || params.thickness > 4.0f)
        throw ConfigError("thickness must be between 0.05 and 4 (got " + std::to_string(params.thickness) + ")");
    if (std::none_of(mask.values.begin(), mask.values.end(), [](std::uint8_t v) { return v >= 128; }))
        throw BadInputError("the subject mask is empty: there is nothing to inflate", {}, kStage);

    std::optional<ScopedTimer> timer;
    auto time = [&](const char* sub) {
        timer.reset();
        if (ctx)
            timer.emplace(ctx->profiler(), std::string("shape_generation/") + sub);
    };

    // Frame: the longer side of the canvas spans [-1, 1]; square pixels.
    const int longest = std::max(mask.width, mask.height);
    const double pixel = 2.0 / longest;
    ShapeResult result;
    result.backendName = "inflate";
    result.level = 0.0f;
    result.frame.xMax = float(mask.width * pixel / 2);
    result.frame.xMin = -result.frame.xMax;
    result.frame.yMax = float(mask.height * pixel / 2);
    result.frame.yMin = -result.frame.yMax;

    // Grid: `resolution` cells across [-1, 1] plus one point of margin on every side, so the outermost points are
    // always outside even for a subject that touches the canvas's border.
    Grid2D grid;
    grid.spacing = 2.0 / params.resolution;
    const int cellsX = std::max(2, int(std::lround((result.frame.xMax - result.frame.xMin) / grid.spacing)));
    const int cellsY = std::max(2, int(std::lround((result.frame.yMax - result.frame.yMin) / grid.spacing)));
    grid.nx = cellsX + 3;
    grid.ny = cellsY + 3;
    grid.x0 = result.frame.xMin - grid.spacing;
    grid.y0 = result.frame.yMin - grid.spacing;

    time("signed_distance");
    report(ctx, 0.0, "measuring the silhouette");
    PoissonProblem problem;
    problem.nx = grid.nx;
    problem.ny = grid.ny;
    problem.spacing = grid.spacing;
    problem.source = kSource;
    problem.signedDistance.resize(std::size_t(grid.nx) * grid.ny);
    {
        const SignedDistanceMap distance(mask);
        checkCancelled(ctx);
        for (int j = 0; j < grid.ny; ++j) {
            const double y = grid.y0 + j * grid.spacing;
            const float v = float((result.frame.yMax - y) / pixel - 0.5);
            for (int i = 0; i < grid.nx; ++i) {
                const double x = grid.x0 + i * grid.spacing;
                const float u = float((x - result.frame.xMin) / pixel - 0.5);
                problem.signedDistance[std::size_t(j) * grid.nx + i] = float(distance.sample(u, v) * pixel);
            }
        }
    }
    checkCancelled(ctx);

    time("poisson_solve");
    report(ctx, kProgressSolveStart, "solving the inflation height field");
    const PoissonSolution solution = solvePoisson(problem, [&](int iteration) {
        checkCancelled(ctx);
        const double f = std::min(1.0, iteration / 20.0);
        report(ctx, kProgressSolveStart + (kProgressSolveEnd - kProgressSolveStart) * f, {});
    });
    if (solution.unknowns == 0)
        throw BadInputError("the subject is too small for the grid resolution " + std::to_string(params.resolution)
                + ": no grid point falls inside it",
            {}, kStage);
    if (ctx)
        ctx->log(LogLevel::Debug,
            "inflate: " + std::to_string(solution.unknowns) + " unknowns, " + std::to_string(solution.iterations)
                + " iterations, relative residual " + std::to_string(solution.relativeResidual));

    time("volume_fill");
    report(ctx, kProgressSolveEnd, "filling the occupancy volume");
    const double thickness2 = double(params.thickness) * params.thickness;
    const std::vector<double> profile = buildProfile(grid, problem.signedDistance, solution.values, thickness2);
    const double hMax = *std::max_element(solution.values.begin(), solution.values.end());
    const double depth = params.thickness * std::sqrt(std::max(hMax, 0.0));
    // z spans at least the canvas's box [-1, 1], more if the body is deeper, always with outside layers beyond it.
    const int halfLayers
        = std::max(int(std::ceil(1.0 / grid.spacing - 1e-9)), int(std::ceil(depth / grid.spacing)) + 2);

    Volume& volume = result.volume;
    volume.nx = grid.nx;
    volume.ny = grid.ny;
    volume.nz = 2 * halfLayers + 1;
    volume.origin = { float(grid.x0), float(grid.y0), float(-halfLayers * grid.spacing) };
    volume.spacing = { float(grid.spacing), float(grid.spacing), float(grid.spacing) };
    try {
        volume.values.resize(volume.pointCount());
    } catch (const std::bad_alloc&) {
        throw DeviceError("not enough memory for a " + std::to_string(volume.nx) + "x" + std::to_string(volume.ny) + "x"
                + std::to_string(volume.nz) + " volume; lower the resolution",
            true, kStage);
    }
    volume.pointsEvaluated = std::int64_t(volume.pointCount());
    std::vector<float> zSquared(std::size_t(volume.nz));
    for (int k = 0; k < volume.nz; ++k) {
        const double z = (k - halfLayers) * grid.spacing;
        zSquared[std::size_t(k)] = float(z * z);
    }
    for (int i = 0; i < volume.nx; ++i) {
        if ((i & 7) == 0) {
            checkCancelled(ctx);
            report(ctx, kProgressSolveEnd + (1.0 - kProgressSolveEnd) * double(i) / volume.nx, {});
        }
        for (int j = 0; j < volume.ny; ++j) {
            const float p = float(profile[std::size_t(j) * grid.nx + i]);
            float* column = volume.values.data() + volume.index(i, j, 0);
            for (int k = 0; k < volume.nz; ++k)
                column[k] = p - zSquared[std::size_t(k)];
        }
    }
    timer.reset();
    report(ctx, 1.0, "inflated");
    return result;
}

} // namespace orfeas::inflate
