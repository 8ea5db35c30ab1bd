#pragma once
// `orfeas model check | init-random | fit-field` (cli_model.cpp). `model list` is declared in cli_info.h.

#include <cstdint>
#include <iosfwd>
#include <string>

namespace orfeas::cli {

struct ModelCheckOptions {
    std::string model; // folder, or what --model accepts elsewhere (repo/subfolder, variant name)
    std::string reference; // io.safetensors in the fixtures' format; empty: check the folder only
    std::string device = "cpu";
    std::string precision = "fp32";
    std::string weights; // "auto", "fp16", "fp32"; empty: fp32 with a reference, auto without
    int chunk = 0;
    double tolerance = -1; // per stage; < 0: the default for the precision
    double loopTolerance = -1; // sampling loop and chained pipeline; < 0: the default for the precision
    bool json = false;
};
int runModelCheck(const ModelCheckOptions& options, std::ostream& out, std::ostream& err);

struct ModelInitOptions {
    std::string config;
    std::string out;
    std::uint64_t seed = 0;
    std::string dtype = "fp16";
    bool withEncoder = false;
    bool overwrite = false;
    int threads = 0;
    bool json = false;
};
int runModelInitRandom(const ModelInitOptions& options, std::ostream& out, std::ostream& err);

struct ModelFitOptions {
    std::string model;
    std::string out;
    int steps = 600;
    int points = 48000;
    double learningRate = 3e-4;
    std::string shape = "figurine";
    std::string device = "auto";
    std::uint64_t seed = 0;
    bool overwrite = false;
    bool json = false;
};
int runModelFitField(const ModelFitOptions& options, std::ostream& out, std::ostream& err);

} // namespace orfeas::cli
