#pragma once
// Summary statistics of a set of measurements (per-image times, rates).

#include <cstddef>
#include <vector>

namespace orfeas::bench {

struct Summary {
    std::size_t count = 0;
    double min = 0, median = 0, p95 = 0, mean = 0, max = 0;
};

// Percentile p (0..100) with linear interpolation between ranks (rank = p/100 * (n-1)), the convention of the batch
// reports. 0 for an empty set.
double percentile(std::vector<double> values, double p);
// Count, min, median, p95, mean and max; all 0 for an empty set.
Summary summarize(const std::vector<double>& values);

} // namespace orfeas::bench
