// Command-line grammar. The option names are a contract with scripts and render farms: extend, never break.

#include "cli_commands.h"

#include "cli_generate.h"
#include "cli_info.h"
#include "cli_model.h"

#include "orfeas/errors.h"
#include "orfeas/neural.h"
#include "orfeas/settings.h"
#include "orfeas/version.h"

#include "cli_validators.h"

#include <CLI/CLI.hpp>

#include <iostream>
#include <ostream>

#include <unistd.h>

namespace orfeas::cli {

namespace {

void addGenerateOptions(CLI::App* cmd, GenerateOptions& o, std::string& backend, std::string& formats,
                        std::string& decoder, std::string& precision)
{
    JobSettings& s = o.settings;
    cmd->add_option("inputs", o.inputs, "Images or folders of images")->required();
    cmd->add_option("-o,--output", o.outputDir, "Output folder (created if missing)")->required();
    cmd->add_option("--backend", backend, "Shape backend: auto, inflate, hunyuan3d")
        ->check(app::engineValidator(parseBackend, "BACKEND"))
        ->default_str("auto");
    cmd->add_option("--format", formats, "Output formats, comma list of glb, obj, stl, ply")
        ->check(app::engineValidator(parseFormatList, "FORMATS"))
        ->default_str("glb");
    cmd->add_option("--jobs,-j", o.jobs, "Jobs run at once")->check(CLI::Range(1, 256))->default_val(1);
    cmd->add_option("--seed", s.seed, "Random seed (neural backend)")->default_val(0);
    cmd->add_option("--resolution", s.resolution, "Grid cells per axis (classic backend)")
        ->check(CLI::Range(8, Limits::kMaxResolution))
        ->default_val(s.resolution);
    cmd->add_option("--faces", s.faceBudget, "Face budget after simplification (0 = keep all)")->default_val(s.faceBudget);
    cmd->add_option("--texture-size", s.textureSize, "Texture side in pixels")
        ->check(CLI::Range(16, Limits::kMaxTextureSize))
        ->default_val(s.textureSize);
    cmd->add_option("--thickness", s.thickness, "Depth scale of the inflated body (classic backend)")
        ->check(CLI::Range(0.05, 4.0))
        ->default_val(s.thickness);
    cmd->add_option("--model", s.modelPath, "Model folder, repo/subfolder or variant name (neural backend)");
    cmd->add_option("--steps", s.steps, "Diffusion steps (neural backend)")
        ->check(CLI::Range(1, Limits::kMaxSteps))
        ->default_val(s.steps);
    cmd->add_option("--guidance", s.guidance, "Guidance scale (neural backend)")->default_val(s.guidance);
    cmd->add_option("--octree", s.octreeResolution, "Octree resolution (neural backend)")
        ->check(CLI::Range(16, Limits::kMaxResolution))
        ->default_val(s.octreeResolution);
    cmd->add_option("--chunk", s.chunkSize, "Points per decoding chunk (0 = from free memory)")->default_val(0);
    cmd->add_option("--decoder", decoder, "Volume decoding: dense or hierarchical")
        ->check(app::engineValidator(parseDecoderMode, "DECODER"))
        ->default_str("hierarchical");
    cmd->add_option("--precision", precision, "fp16, bf16 or fp32 (neural backend)")
        ->check(app::engineValidator(parsePrecision, "PRECISION"))
        ->default_str("fp16");
    cmd->add_option("--device", s.device, "auto, cpu, cuda or cuda:N")->default_val(s.device);
    cmd->add_flag("--low-vram", s.lowVram, "Keep GPU memory low (for 8 GB cards)");
    cmd->add_option("--border-ratio", s.borderRatio, "Empty border around the subject")->default_val(s.borderRatio);
    cmd->add_option("--image-size", s.imageSize, "Side of the preprocessed image")->default_val(s.imageSize);
    cmd->add_option("--bg-tolerance", s.backgroundTolerance, "Background colour tolerance (0..1) for opaque images")
        ->default_val(s.backgroundTolerance);
    cmd->add_flag("--json", o.json, "One JSON object per line on stdout");
    cmd->add_option("--shard", o.shard, "Process shard i/n of the sorted inputs (0-based), or auto (Slurm, ...)");
    cmd->add_option("--gpus", o.gpus, "Comma list of GPU indices: one worker per GPU");
    cmd->add_flag("--overwrite", o.overwrite, "Replace existing outputs (default: skip finished inputs)");
    cmd->add_flag("-r,--recursive", o.recursive, "Search folders recursively");
    cmd->add_option("--report-dir", o.reportDir, "Folder for the batch reports (default: the output folder)");
    cmd->add_flag("--no-reports", o.noReports, "Do not write the batch reports");
    cmd->add_flag("-v,--verbose", o.verbose, "More messages");
}

} // namespace

int runCli(int argc, const char* const* argv, std::ostream& out, std::ostream& err)
{
    CLI::App app{"ORFEAS: turns a single image into a textured 3D model (GLB, OBJ, STL, PLY)", "orfeas"};
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string("orfeas ") + versionString());
    app.footer("Exit status: 0 all done, 1 some inputs failed, 2 usage or configuration error, 130 interrupted.\n"
               "Run 'orfeas <command> --help' for the options of a command.");

    GenerateOptions gen;
    std::string backend = "auto", formats = "glb", decoder = "hierarchical", precision = "fp16";
    CLI::App* generate = app.add_subcommand("generate", "Turn images (or folders of images) into 3D models");
    addGenerateOptions(generate, gen, backend, formats, decoder, precision);

    bool infoJson = false;
    CLI::App* info = app.add_subcommand("info", "Version, CPU, GPUs, backends and model folders found");
    info->add_flag("--json", infoJson, "JSON output");

    CLI::App* report = app.add_subcommand("report", "Batch reports");
    report->require_subcommand(1);
    std::vector<std::string> mergeDirs;
    std::string mergeOut;
    bool mergeJson = false;
    CLI::App* merge = report->add_subcommand("merge", "Merge the reports of several shard folders into one");
    merge->add_option("folders", mergeDirs, "Folders holding per-image reports and GPU reports")->required();
    merge->add_option("-o,--output", mergeOut, "Folder for the merged reports")->required();
    merge->add_flag("--json", mergeJson, "JSON output");

    CLI::App* model = app.add_subcommand("model", "Model folders");
    model->require_subcommand(1);
    bool listJson = false;
    CLI::App* list = model->add_subcommand("list", "List the model folders found");
    list->add_flag("--json", listJson, "JSON output");
    ModelCheckOptions checkOpts;
    CLI::App* check = model->add_subcommand(
        "check", "Check a model folder; with --reference, every stage against the reference's recorded outputs");
    check->add_option("folder", checkOpts.model, "Model folder (or repo/subfolder, variant name)")->required();
    check->add_option("--reference", checkOpts.reference, "Reference inputs/outputs (io.safetensors of the fixtures)");
    check->add_option("--device", checkOpts.device, "cpu, cuda or cuda:N")->default_val("cpu");
    check->add_option("--precision", checkOpts.precision, "fp32, fp16 or bf16 (compute precision on CUDA)")
        ->check(app::engineValidator(parsePrecision, "PRECISION"))
        ->default_val("fp32");
    check->add_option("--weights", checkOpts.weights, "Weights file: auto, fp16 or fp32 (default fp32 with --reference)")
        ->check(CLI::IsMember({ "auto", "fp16", "fp32" }));
    check->add_option("--chunk", checkOpts.chunk, "Points per decoding chunk (0 = automatic)")->default_val(0);
    check->add_option("--tolerance", checkOpts.tolerance, "Relative tolerance per stage (default by precision)");
    check->add_option("--loop-tolerance", checkOpts.loopTolerance, "Relative tolerance of the sampling loop and pipeline");
    check->add_flag("--json", checkOpts.json, "JSON output");
    ModelInitOptions initOpts;
    CLI::App* initRandom
        = model->add_subcommand("init-random", "Write a model folder with random weights (for benchmarks)");
    initRandom->add_option("--config", initOpts.config, "config.yaml of the model")->required();
    initRandom->add_option("--out", initOpts.out, "Output folder (created if missing)")->required();
    initRandom->add_option("--seed", initOpts.seed, "Random seed")->default_val(0);
    initRandom->add_option("--dtype", initOpts.dtype, "fp16 (model.fp16.safetensors), fp32 or bf16")
        ->check(app::engineValidator(parsePrecision, "DTYPE"))
        ->default_val("fp16");
    initRandom->add_flag("--with-encoder", initOpts.withEncoder, "Also the VAE's point-cloud encoder and mask_token");
    initRandom->add_option("--threads", initOpts.threads, "Threads (0 = all cores)")->default_val(0);
    initRandom->add_flag("--overwrite", initOpts.overwrite, "Replace existing files");
    initRandom->add_flag("--json", initOpts.json, "JSON output");
    ModelFitOptions fitOpts;
    CLI::App* fitField = model->add_subcommand(
        "fit-field", "Fit a model's geometry decoder to an analytic shape (a realistic field for benchmarks)");
    fitField->add_option("--model", fitOpts.model, "Source model folder")->required();
    fitField->add_option("--out", fitOpts.out, "Output model folder (created if missing)")->required();
    fitField->add_option("--steps", fitOpts.steps, "Adam steps")->check(CLI::Range(1, 1000000))->default_val(600);
    fitField->add_option("--points", fitOpts.points, "Points per step")->check(CLI::Range(64, 10000000))->default_val(48000);
    fitField->add_option("--lr", fitOpts.learningRate, "Learning rate")->default_val(3e-4);
    fitField->add_option("--shape", fitOpts.shape, "figurine, sphere or torus")
        ->check(app::engineValidator(parseFitShape, "SHAPE"))
        ->default_val("figurine");
    fitField->add_option("--device", fitOpts.device, "auto, cpu, cuda or cuda:N")->default_val("auto");
    fitField->add_option("--seed", fitOpts.seed, "Random seed")->default_val(0);
    fitField->add_flag("--overwrite", fitOpts.overwrite, "Replace existing files");
    fitField->add_flag("--json", fitOpts.json, "JSON output");

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e, out, err);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e, out, err);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e, out, err);
    } catch (const CLI::ParseError& e) {
        app.exit(e, out, err);
        return kExitUsage;
    }

    if (*generate) {
        gen.settings.backend = parseBackend(backend);
        gen.settings.formats = parseFormatList(formats);
        gen.settings.decoder = parseDecoderMode(decoder);
        gen.settings.precision = parsePrecision(precision);
        return runGenerate(gen, out, err, isatty(1) && !gen.json && &out == &std::cout);
    }
    if (*info)
        return runInfo(infoJson, out);
    if (*merge)
        return runReportMerge(mergeDirs, mergeOut, mergeJson, out, err);
    if (*list)
        return runModelList(listJson, out);
    if (*check)
        return runModelCheck(checkOpts, out, err);
    if (*initRandom)
        return runModelInitRandom(initOpts, out, err);
    if (*fitField)
        return runModelFitField(fitOpts, out, err);
    return kExitUsage;
}

} // namespace orfeas::cli
