#pragma once

#include "orfeas/settings.h"

#include <iosfwd>
#include <string>
#include <vector>

namespace orfeas::cli {

struct GenerateOptions {
    std::vector<std::string> inputs;
    std::string outputDir;
    JobSettings settings;
    int jobs = 1;
    bool json = false;
    bool overwrite = false;
    bool recursive = false;
    bool verbose = false;
    std::string shard;        // "i/n" or "auto"
    std::string gpus;         // "0,1": one worker per listed GPU
    std::string reportDir;    // where the batch reports go (default: the output folder)
    bool noReports = false;
    double gpuSampleInterval = 0.2;
};

int runGenerate(const GenerateOptions& options, std::ostream& out, std::ostream& err, bool terminal);

} // namespace orfeas::cli
