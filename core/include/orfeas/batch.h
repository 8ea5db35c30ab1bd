#pragma once
// Batch planning for the CLI and the GUI: expanding inputs, naming outputs without collisions, deterministic
// sharding, skipping finished work.

#include "orfeas/pipeline.h"

#include <string>
#include <vector>

namespace orfeas {

struct BatchItem {
    std::string inputPath;   // absolute, normalised
    std::string outputStem;  // unique within the batch
};

// Expands files and folders (folders: supported images directly inside, not recursive unless `recursive`) into
// a list sorted by path, so the same inputs give the same list whatever the order given. Two inputs with the
// same stem get distinct output stems (the second gets a suffix derived from its parent folder, then a number).
// Stems are sanitised so an output can never leave the output folder. Throws BadInputError for a path that does
// not exist. Thread-safe.
std::vector<BatchItem> planBatch(const std::vector<std::string>& inputs, bool recursive = false);

// Shard i of n (0-based): the items whose index modulo n equals i, after planBatch's sorting. Throws ConfigError
// for i >= n or n < 1.
std::vector<BatchItem> selectShard(const std::vector<BatchItem>& items, int index, int count);

// Parses "i/n" (0-based i) or "auto" (SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT, then JOB_COMPLETION_INDEX with
// ORFEAS_SHARD_COUNT, ...). Throws ConfigError.
struct ShardSpec {
    int index = 0;
    int count = 1;
    std::string source; // "cli", "slurm", "kubernetes", ...
};
ShardSpec parseShard(const std::string& text);

// Makes a file stem safe: no path separators, no "..", no control characters, not empty. Thread-safe.
std::string sanitizeStem(const std::string& stem);

} // namespace orfeas
