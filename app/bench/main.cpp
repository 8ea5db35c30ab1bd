// orfeas-bench: the engine benchmark (docs/benchmarks.md). No Qt; every run goes through orfeas::JobQueue.

#include "orfeas/process_setup.h"
#include "bench_machine.h"
#include "bench_options.h"
#include "bench_report.h"
#include "bench_run.h"

#include "orfeas/batch.h"
#include "orfeas/errors.h"
#include "orfeas/report.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#ifndef _WIN32
#include <ftw.h>
#include <unistd.h>
#endif

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

namespace {

// Removes the bench's temporary folder. Not std::filesystem::remove_all on POSIX: PyTorch's wheel LibTorch (the
// CUDA build on the GPU machine) exports a symbol of that name which the dynamic linker binds our call to, and
// calling it jumped to address 0 (every orfeas-bench run there ended in SIGSEGV, after its results were written;
// found with a signal handler that printed the faulting frame). libc's nftw cannot be interposed that way.
void removeTree(const std::string& path)
{
#ifdef _WIN32
    std::error_code ec;
    fs::remove_all(path, ec);
#else
    ::nftw(
        path.c_str(),
        [](const char* p, const struct stat*, int, struct FTW*) { ::remove(p); return 0; }, 16,
        FTW_DEPTH | FTW_PHYS);
#endif
}

} // namespace

int main(int argc, char** argv)
{
    using namespace orfeas;
    using namespace orfeas::bench;
    ProcessClock clock; // first: the cold start counts from here (and from the kernel's process start)
    orfeas::configureProcess();
    installStopHandlers();
    const Json loadStart = loadAverage();
    const std::string startedAt = isoTimestampUtc();

    ParseResult parsed = parseBenchCommandLine(argc, argv, std::cout, std::cerr);
    if (!parsed.options)
        return parsed.exitCode;
    const BenchOptions& opt = *parsed.options;
    const bool jsonToStdout = opt.jsonPath == "-";
    std::ostream& human = jsonToStdout ? std::cerr : std::cout;

    std::vector<std::string> inputs;
    try {
        if (opt.inputs.empty()) {
            inputs = bundledSamples();
            if (inputs.empty())
                throw ConfigError("no input images given and the bundled samples were not found (set "
                                  "ORFEAS_SAMPLES_DIR)");
        } else {
            for (const auto& item : planBatch(opt.inputs, opt.recursive))
                inputs.push_back(item.inputPath);
            if (inputs.empty())
                throw BadInputError("no supported images in the given inputs");
        }
    } catch (const Error& e) {
        std::cerr << "orfeas-bench: " << e.what() << "\n";
        return 2;
    }

    std::string outRoot;
    bool temporary = false;
    if (!opt.noExport) {
        if (!opt.outDir.empty()) {
            outRoot = opt.outDir;
        } else {
            std::string pattern = (fs::temp_directory_path() / "orfeas-bench-XXXXXX").string();
            if (!::mkdtemp(pattern.data())) {
                std::cerr << "orfeas-bench: cannot create a temporary folder in " << fs::temp_directory_path() << "\n";
                return 2;
            }
            outRoot = pattern;
            temporary = true;
        }
    }

    Json bench;
    bench["schema"] = "orfeas.bench/1";
    bench["started_at"] = startedAt;
    bench["command"] = opt.commandLine;
    bench["complete"] = false;
    bench["interrupted"] = false;
    bench["load_average_start"] = loadStart;
    bench["machine"] = nullptr;
    bench["cold_start"] = nullptr;
    bench["cases"] = Json::array();

    auto save = [&] {
        if (opt.jsonPath.empty() || jsonToStdout)
            return;
        try {
            writeReportFile(opt.jsonPath, bench.dump(2) + "\n");
        } catch (const Error& e) {
            std::cerr << "orfeas-bench: " << e.what() << "\n";
        }
    };

    Printer printer{human, opt.verbose, {}, {}};
    human << "orfeas-bench: " << inputs.size() << " input image(s)" << (outRoot.empty() ? "" : ", models in " + outRoot)
          << "\n";
    bool anyFailed = false;
    for (const BenchCase& c : opt.effectiveCases()) {
        if (stopRequested()) {
            human << "orfeas-bench: stopped; case " << c.name << " not run\n";
            continue;
        }
        const ModelInfo model = c.settings.backend == BackendChoice::Inflate ? ModelInfo{} : modelInfoFor(c.settings);
        CaseRun run;
        try {
            run = runCase(c, inputs, outRoot, opt.gpuInterval, clock, printer);
        } catch (const Error& e) {
            std::cerr << "orfeas-bench: case " << c.name << ": " << e.what() << "\n";
            anyFailed = true;
            continue;
        }
        Json cj = caseToJson(run, model);
        anyFailed = anyFailed || cj["images"]["failed"].get<std::size_t>() > 0;
        human << caseTable(cj);
        human.flush();
        bench["cases"].push_back(std::move(cj));
        if (bench["machine"].is_null())
            bench["machine"] = machineInfo();
        bench["cold_start"] = coldStartJson(clock);
        save();
    }
    if (bench["machine"].is_null())
        bench["machine"] = machineInfo();
    bench["cold_start"] = coldStartJson(clock);
    bench["load_average_end"] = loadAverage();
    bench["finished_at"] = isoTimestampUtc();
    bench["complete"] = !stopRequested();
    bench["interrupted"] = stopRequested();
    save();
    human << summaryTable(bench);
    if (jsonToStdout)
        std::cout << bench.dump(2) << "\n";
    if (temporary && !opt.keepOutputs) {
        removeTree(outRoot);
    } else if (temporary) {
        human << "models kept in " << outRoot << "\n";
    }
    if (stopRequested())
        return 130;
    return anyFailed ? 1 : 0;
}
