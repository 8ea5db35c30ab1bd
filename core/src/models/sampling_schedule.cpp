// The reference schedulers' sigma/timestep tables, computed with the same float64 -> float32 steps as the
// reference (numpy linspace in float64, then torch float32), so the tables match bit for bit.

#include "orfeas/errors.h"
#include "orfeas/model_config.h"

#include <algorithm>
#include <cmath>

namespace orfeas {

namespace {

// numpy.linspace(start, stop, num, endpoint) in float64: i * step + start, the last value forced to `stop`.
std::vector<double> linspace(double start, double stop, int num, bool endpoint)
{
    std::vector<double> y(std::size_t(std::max(num, 0)));
    const int div = endpoint ? num - 1 : num;
    const double delta = stop - start;
    if (div > 0) {
        const double step = delta / div;
        for (int i = 0; i < num; ++i)
            y[std::size_t(i)] = step == 0 ? double(i) / div * delta + start : double(i) * step + start;
    } else {
        for (int i = 0; i < num; ++i)
            y[std::size_t(i)] = double(i) * delta + start;
    }
    if (endpoint && num > 1)
        y.back() = stop;
    return y;
}

SamplingSchedule flowMatch(const SchedulerConfig& c, int steps)
{
    // The pipeline passes sigmas = linspace(0, 1, steps) (note: 0 is noise, 1 is data); the scheduler shifts them
    // in float64, stores them as float32 and derives timesteps = sigmas * num_train_timesteps in float32.
    SamplingSchedule s;
    for (double sigma : linspace(0.0, 1.0, steps, true)) {
        const double shifted = c.shift * sigma / (1.0 + (c.shift - 1.0) * sigma);
        const float f = static_cast<float>(shifted);
        s.sigmas.push_back(f);
        s.timesteps.push_back(f * static_cast<float>(c.numTrainTimesteps));
    }
    s.sigmas.push_back(1.0f);
    return s;
}

SamplingSchedule consistencyFlowMatch(const SchedulerConfig& c, int steps)
{
    // The table: sigmas of linspace(0, 1, N) at indices [0, r - 1, 2r - 1, ...] with r = N // pcm_timesteps;
    // a run of `steps` steps takes the entries at floor(linspace(0, pcm_timesteps, steps, endpoint=False)).
    const std::vector<double> all = linspace(0.0, 1.0, c.numTrainTimesteps, true);
    const int ratio = c.numTrainTimesteps / c.pcmTimesteps;
    std::vector<float> table;
    table.push_back(static_cast<float>(all[0]));
    for (int j = 1; j < c.pcmTimesteps; ++j)
        table.push_back(static_cast<float>(all[std::size_t(j * ratio - 1)]));
    SamplingSchedule s;
    for (double x : linspace(0.0, double(c.pcmTimesteps), steps, false)) {
        const auto index = std::size_t(std::floor(x));
        const float f = table.at(index);
        s.sigmas.push_back(f);
        s.timesteps.push_back(f * static_cast<float>(c.numTrainTimesteps));
    }
    s.sigmas.push_back(1.0f);
    return s;
}

} // namespace

SamplingSchedule computeSamplingSchedule(const SchedulerConfig& config, int steps)
{
    if (steps < 1)
        throw ConfigError("the number of sampling steps must be at least 1 (got " + std::to_string(steps) + ")");
    SamplingSchedule s
        = config.kind == SchedulerKind::FlowMatchEuler ? flowMatch(config, steps) : consistencyFlowMatch(config, steps);
    // The reference finds its starting index by looking the first timestep up in the table and takes the second
    // match when there are several: with a repeated first timestep it would skip a step and then run off the end.
    if (std::count(s.timesteps.begin(), s.timesteps.end(), s.timesteps.front()) > 1) {
        if (config.kind == SchedulerKind::ConsistencyFlowMatchEuler)
            throw ConfigError("this model's consistency scheduler runs at most " + std::to_string(config.pcmTimesteps)
                + " steps (pcm_timesteps); got " + std::to_string(steps));
        throw ConfigError("the scheduler cannot run " + std::to_string(steps) + " steps (repeated timesteps)");
    }
    return s;
}

} // namespace orfeas
