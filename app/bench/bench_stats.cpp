#include "bench_stats.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace orfeas::bench {

double percentile(std::vector<double> values, double p)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    const double rank = std::clamp(p, 0.0, 100.0) / 100.0 * double(values.size() - 1);
    const auto lo = std::size_t(std::floor(rank));
    const auto hi = std::min(lo + 1, values.size() - 1);
    const double frac = rank - double(lo);
    return values[lo] + (values[hi] - values[lo]) * frac;
}

Summary summarize(const std::vector<double>& values)
{
    Summary s;
    s.count = values.size();
    if (values.empty())
        return s;
    s.min = *std::min_element(values.begin(), values.end());
    s.max = *std::max_element(values.begin(), values.end());
    s.mean = std::accumulate(values.begin(), values.end(), 0.0) / double(values.size());
    s.median = percentile(values, 50);
    s.p95 = percentile(values, 95);
    return s;
}

} // namespace orfeas::bench
