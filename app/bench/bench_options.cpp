#include "bench_options.h"

#include "orfeas/errors.h"
#include "orfeas/version.h"

#include "cli_validators.h"

#include <CLI/CLI.hpp>

#include <cstdlib>
#include <filesystem>
#include <ostream>
#include <set>

namespace fs = std::filesystem;

namespace orfeas::bench {

namespace {

// The enum-valued settings travel as text until parsing is done, so that a --case that does not name one keeps the
// base value.
struct SettingTexts {
    std::string backend, formats, decoder, precision;

    explicit SettingTexts(const JobSettings& s)
        : backend(backendName(s.backend))
        , decoder(decoderModeName(s.decoder))
        , precision(precisionName(s.precision))
    {
        for (std::size_t i = 0; i < s.formats.size(); ++i)
            formats += (i ? "," : "") + std::string(formatExtension(s.formats[i]));
    }
    void applyTo(JobSettings& s) const
    {
        s.backend = parseBackend(backend);
        s.formats = parseFormatList(formats);
        s.decoder = parseDecoderMode(decoder);
        s.precision = parsePrecision(precision);
    }
};

// Options that a --case may change. No default_val(): CLI11 would assign it, and a case must keep the base values;
// capture_default_str() only shows the current value in --help.
void addCaseOptions(CLI::App& app, BenchCase& c, SettingTexts& t)
{
    JobSettings& s = c.settings;
    app.add_option("--backend", t.backend, "Shape backend: auto, inflate, hunyuan3d")
        ->check(app::engineValidator(parseBackend, "BACKEND"))
        ->capture_default_str();
    app.add_option("--model", s.modelPath, "Model folder, repo/subfolder or variant name (neural backend)");
    app.add_option("--steps", s.steps, "Diffusion steps")->check(CLI::Range(1, Limits::kMaxSteps))->capture_default_str();
    app.add_option("--guidance", s.guidance, "Guidance scale")->capture_default_str();
    app.add_option("--octree", s.octreeResolution, "Octree resolution")
        ->check(CLI::Range(16, Limits::kMaxResolution))
        ->capture_default_str();
    app.add_option("--chunk", s.chunkSize, "Points per decoding chunk (0 = from free memory)")->capture_default_str();
    app.add_option("--decoder", t.decoder, "Volume decoding: dense or hierarchical")
        ->check(app::engineValidator(parseDecoderMode, "DECODER"))
        ->capture_default_str();
    app.add_option("--precision", t.precision, "fp16, bf16 or fp32")
        ->check(app::engineValidator(parsePrecision, "PRECISION"))
        ->capture_default_str();
    app.add_option("--device", s.device, "auto, cpu, cuda or cuda:N")->capture_default_str();
    app.add_flag("--low-vram", s.lowVram, "Keep GPU memory low (for 8 GB cards)");
    app.add_option("--seed", s.seed, "Random seed (neural backend)")->capture_default_str();
    app.add_option("--resolution", s.resolution, "Grid cells per axis (classic backend)")
        ->check(CLI::Range(8, Limits::kMaxResolution))
        ->capture_default_str();
    app.add_option("--thickness", s.thickness, "Depth scale of the inflated body (classic backend)")
        ->check(CLI::Range(0.05, 4.0))
        ->capture_default_str();
    app.add_option("--image-size", s.imageSize, "Side of the preprocessed image")->capture_default_str();
    app.add_option("--faces", s.faceBudget, "Face budget after simplification (0 = keep all)")->capture_default_str();
    app.add_option("--texture-size", s.textureSize, "Texture side in pixels")
        ->check(CLI::Range(16, Limits::kMaxTextureSize))
        ->capture_default_str();
    app.add_option("--format", t.formats, "Output formats, comma list of glb, obj, stl, ply")
        ->check(app::engineValidator(parseFormatList, "FORMATS"))
        ->capture_default_str();
    app.add_option("--images", c.images, "Measured images (0: one per input)")->check(CLI::Range(0, 100000))
        ->capture_default_str();
    app.add_option("--warmup", c.warmup, "Warm-up runs before the measured ones")->check(CLI::Range(0, 1000))
        ->capture_default_str();
    app.add_option("--jobs,-j", c.jobs, "Jobs run at once")->check(CLI::Range(1, 256))->capture_default_str();
    app.add_option("--gpus", c.gpus, "Comma list of GPU indices: one worker per GPU");
}

void checkGpus(const std::string& gpus)
{
    if (gpus.empty())
        return;
    bool digit = false;
    for (char ch : gpus) {
        if (ch == ',') {
            if (!digit)
                throw ConfigError("--gpus expects a comma list of device indices, e.g. 0,1 (got '" + gpus + "')");
            digit = false;
        } else if (ch >= '0' && ch <= '9') {
            digit = true;
        } else {
            throw ConfigError("--gpus expects a comma list of device indices, e.g. 0,1 (got '" + gpus + "')");
        }
    }
    if (!digit)
        throw ConfigError("--gpus expects a comma list of device indices, e.g. 0,1 (got '" + gpus + "')");
}

BenchCase parseCase(const std::string& spec, const BenchCase& base)
{
    const auto colon = spec.find(':');
    if (colon == std::string::npos)
        throw ConfigError("--case expects 'NAME: OPTIONS' (got '" + spec + "')");
    BenchCase c = base;
    c.name = spec.substr(0, colon);
    while (!c.name.empty() && c.name.back() == ' ')
        c.name.pop_back();
    if (c.name.empty() || c.name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
                              != std::string::npos || c.name[0] == '.')
        throw ConfigError("--case name '" + c.name + "': use letters, digits, '_', '-' and '.'");
    SettingTexts texts(c.settings);
    CLI::App app{"case " + c.name, "--case"};
    addCaseOptions(app, c, texts);
    try {
        app.parse(spec.substr(colon + 1), false);
    } catch (const CLI::ParseError& e) {
        throw ConfigError("--case " + c.name + ": " + e.what());
    }
    texts.applyTo(c.settings);
    return c;
}

std::string quoteArg(const std::string& a)
{
    if (!a.empty() && a.find_first_of(" \t\"'\\$`") == std::string::npos)
        return a;
    std::string q = "'";
    for (char ch : a)
        q += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
    return q + "'";
}

} // namespace

ParseResult parseBenchCommandLine(int argc, const char* const* argv, std::ostream& out, std::ostream& err)
{
    BenchOptions o;
    SettingTexts texts(o.base.settings);
    std::vector<std::string> caseSpecs;

    CLI::App app{"orfeas-bench: times the ORFEAS pipeline (the same runJob path as orfeas generate) on N images and "
                 "reports per-stage wall and GPU times, denoiser TFLOP/s, points decoded, peak GPU memory, NVML "
                 "utilisation, images per minute and the cold start",
                 "orfeas-bench"};
    app.set_version_flag("--version", std::string("orfeas-bench ") + versionString());
    app.add_option("inputs", o.inputs, "Images or folders of images (default: the bundled samples)");
    app.add_flag("-r,--recursive", o.recursive, "Search folders recursively");
    addCaseOptions(app, o.base, texts);
    app.add_option("--case", caseSpecs,
                   "A configuration to measure, 'NAME: OPTIONS' (base settings plus OPTIONS); repeatable. Cases run in "
                   "order in one process, so a model is loaded once for all cases that share it")
        ->allow_extra_args(false); // one value per --case: later words stay inputs
    app.add_option("--json", o.jsonPath, "Write the results as JSON to FILE ('-': stdout); rewritten after each case");
    app.add_option("-o,--out", o.outDir, "Folder for the models (default: a temporary folder, removed at the end)");
    app.add_flag("--no-export", o.noExport, "Do not write models (the pipeline stops before export)");
    app.add_flag("--keep-outputs", o.keepOutputs, "Keep the temporary output folder");
    app.add_option("--gpu-interval", o.gpuInterval, "NVML sampling interval in seconds")
        ->check(CLI::Range(0.01, 10.0))
        ->capture_default_str();
    app.add_flag("-v,--verbose", o.verbose, "Print the engine's log lines");
    app.footer("Exit status: 0 every run succeeded, 1 some runs failed, 2 usage or configuration error.\n"
               "Example: orfeas-bench img.png --backend hunyuan3d --model M --images 16 --warmup 1 --json b.json \\\n"
               "           --case 'dense: --decoder dense' --case 'turbo: --steps 5'");

    ParseResult result;
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        result.exitCode = app.exit(e, out, err);
        return result;
    } catch (const CLI::CallForAllHelp& e) {
        result.exitCode = app.exit(e, out, err);
        return result;
    } catch (const CLI::CallForVersion& e) {
        result.exitCode = app.exit(e, out, err);
        return result;
    } catch (const CLI::ParseError& e) {
        app.exit(e, out, err);
        result.exitCode = 2;
        return result;
    }

    try {
        texts.applyTo(o.base.settings);
        std::set<std::string> names;
        for (const auto& spec : caseSpecs) {
            BenchCase c = parseCase(spec, o.base);
            if (!names.insert(c.name).second)
                throw ConfigError("--case " + c.name + " is given twice");
            o.cases.push_back(std::move(c));
        }
        for (const auto& c : o.effectiveCases()) {
            c.settings.validate();
            checkGpus(c.gpus);
        }
        if (o.noExport && !o.outDir.empty())
            throw ConfigError("--no-export and --out exclude each other");
    } catch (const Error& e) {
        err << "orfeas-bench: " << e.what() << "\n";
        result.exitCode = 2;
        return result;
    }
    for (int i = 0; i < argc; ++i)
        o.commandLine += (i ? " " : "") + quoteArg(argv[i]);
    result.options = std::move(o);
    return result;
}

std::vector<std::string> bundledSamples()
{
    std::vector<fs::path> roots;
    if (const char* env = std::getenv("ORFEAS_SAMPLES_DIR"); env && *env)
        roots.emplace_back(env);
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec)
        roots.push_back(exe.parent_path().parent_path() / "share" / "orfeas" / "samples");
#ifdef ORFEAS_BENCH_SAMPLES_DIR
    roots.emplace_back(ORFEAS_BENCH_SAMPLES_DIR);
#endif
    for (const auto& root : roots) {
        std::vector<std::string> found;
        for (const char* name : {"vase.png", "mushroom.png", "duck.jpg"}) {
            const fs::path p = root / name;
            if (fs::is_regular_file(p, ec))
                found.push_back(p.string());
        }
        if (!found.empty())
            return found;
    }
    return {};
}

} // namespace orfeas::bench
