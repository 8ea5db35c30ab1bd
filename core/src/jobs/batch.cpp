#include "orfeas/batch.h"

#include "orfeas/errors.h"
#include "orfeas/image_io.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>

namespace fs = std::filesystem;

namespace orfeas {

namespace {

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

bool hasImageExtension(const fs::path& p)
{
    std::string ext = lower(p.extension().string());
    if (ext.empty())
        return false;
    ext.erase(0, 1);
    const auto& exts = supportedImageExtensions();
    return std::find(exts.begin(), exts.end(), ext) != exts.end();
}

// Array-job indices and counts from the environment. Values outside +-1e9 are refused rather than wrapped: a
// wrapped index would silently select another shard, and the arithmetic below must not overflow (found with the
// fuzz harness, docs/reliability.md).
std::optional<int> envInt(const char* name)
{
    const char* v = std::getenv(name);
    if (!v || !*v)
        return std::nullopt;
    char* end = nullptr;
    errno = 0;
    const long long n = std::strtoll(v, &end, 10);
    if (*end != '\0' || end == v)
        throw ConfigError(std::string("environment variable ") + name + "='" + v + "' is not an integer");
    if (errno == ERANGE || n < -1'000'000'000LL || n > 1'000'000'000LL)
        throw ConfigError(std::string("environment variable ") + name + "='" + v + "' is out of range");
    return int(n);
}

int parseInt(const std::string& s, const std::string& what)
{
    if (s.empty() || !std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); }) ||
        s.size() > 9)
        throw ConfigError("invalid shard '" + what + "' (expected i/n with 0 <= i < n, or auto)");
    return std::stoi(s);
}

ShardSpec checked(ShardSpec s, const std::string& text)
{
    if (s.count < 1 || s.index < 0 || s.index >= s.count)
        throw ConfigError("invalid shard " + std::to_string(s.index) + "/" + std::to_string(s.count) + " from " +
                          s.source + " ('" + text + "'): need 0 <= i < n");
    return s;
}

} // namespace

std::string sanitizeStem(const std::string& stem)
{
    std::string out;
    out.reserve(stem.size());
    for (unsigned char c : stem) {
        if (c < 0x20 || c == 0x7f || c == '/' || c == '\\' || c == ':' || c == '*' || c == '?' || c == '"' ||
            c == '<' || c == '>' || c == '|')
            out.push_back('_');
        else
            out.push_back(char(c));
    }
    // No hidden names, no "." or "..", no trailing dots or spaces (Windows). Shortened before the trailing dots
    // are removed, so that the cut cannot expose a new one (found by fuzzing, docs/reliability.md).
    while (!out.empty() && (out.front() == '.' || out.front() == ' '))
        out.erase(0, 1);
    if (out.size() > 180)
        out.resize(180);
    while (!out.empty() && (out.back() == '.' || out.back() == ' '))
        out.pop_back();
    if (out.empty())
        out = "image";
    return out;
}

std::vector<BatchItem> planBatch(const std::vector<std::string>& inputs, bool recursive)
{
    std::set<std::string> files;
    for (const auto& in : inputs) {
        std::error_code ec;
        const fs::path p = fs::absolute(fs::path(in), ec).lexically_normal();
        const auto st = fs::status(p, ec);
        if (ec || !fs::exists(st))
            throw BadInputError("input does not exist", in, std::nullopt);
        if (fs::is_directory(st)) {
            auto add = [&](const fs::directory_entry& e) {
                std::error_code ec2;
                if (e.is_regular_file(ec2) && hasImageExtension(e.path()) &&
                    e.path().filename().string().front() != '.')
                    files.insert(e.path().lexically_normal().string());
            };
            if (recursive) {
                for (fs::recursive_directory_iterator it(p, fs::directory_options::skip_permission_denied, ec), end;
                     !ec && it != end; it.increment(ec))
                    add(*it);
            } else {
                for (fs::directory_iterator it(p, fs::directory_options::skip_permission_denied, ec), end;
                     !ec && it != end; it.increment(ec))
                    add(*it);
            }
            if (ec)
                throw BadInputError("cannot list folder: " + ec.message(), in, std::nullopt);
        } else {
            files.insert(p.string()); // named explicitly: loading will say if it is not an image
        }
    }
    std::vector<BatchItem> items;
    std::set<std::string> used;
    for (const auto& f : files) { // sorted: the first of a colliding pair keeps the plain stem
        const fs::path p(f);
        std::string stem = sanitizeStem(p.stem().string());
        std::string candidate = stem;
        if (used.count(lower(candidate))) {
            candidate = sanitizeStem(stem + "_" + p.parent_path().filename().string());
            for (int n = 2; used.count(lower(candidate)); ++n)
                candidate = stem + "_" + std::to_string(n);
        }
        used.insert(lower(candidate)); // case-insensitive: outputs may land on case-insensitive filesystems
        items.push_back({f, candidate});
    }
    return items;
}

std::vector<BatchItem> selectShard(const std::vector<BatchItem>& items, int index, int count)
{
    if (count < 1 || index < 0 || index >= count)
        throw ConfigError("invalid shard " + std::to_string(index) + "/" + std::to_string(count) +
                          ": need 0 <= i < n");
    std::vector<BatchItem> out;
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (int(i % std::size_t(count)) == index)
            out.push_back(items[i]);
    }
    return out;
}

ShardSpec parseShard(const std::string& text)
{
    if (text.empty())
        return {};
    if (lower(text) != "auto") {
        const auto slash = text.find('/');
        if (slash == std::string::npos)
            throw ConfigError("invalid shard '" + text + "' (expected i/n with 0 <= i < n, or auto)");
        ShardSpec s;
        s.index = parseInt(text.substr(0, slash), text);
        s.count = parseInt(text.substr(slash + 1), text);
        s.source = "command line";
        return checked(s, text);
    }
    // Slurm job arrays: IDs may start anywhere (--array=1-4); the count is the number of tasks.
    if (auto id = envInt("SLURM_ARRAY_TASK_ID")) {
        ShardSpec s;
        s.source = "slurm";
        const auto count = envInt("SLURM_ARRAY_TASK_COUNT");
        const auto min = envInt("SLURM_ARRAY_TASK_MIN").value_or(0);
        const auto step = envInt("SLURM_ARRAY_TASK_STEP").value_or(1);
        if (!count)
            throw ConfigError("--shard auto: SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not");
        s.index = int((std::int64_t(*id) - min) / std::max(1, step)); // operands within +-1e9: no overflow
        s.count = *count;
        return checked(s, text);
    }
    const auto explicitCount = envInt("ORFEAS_SHARD_COUNT");
    // Kubernetes indexed Jobs (0-based), AWS Batch array jobs (0-based): the count comes from ORFEAS_SHARD_COUNT.
    for (const auto& [var, source] : {std::pair{"JOB_COMPLETION_INDEX", "kubernetes"},
                                      std::pair{"AWS_BATCH_JOB_ARRAY_INDEX", "aws-batch"}}) {
        if (auto id = envInt(var)) {
            if (!explicitCount)
                throw ConfigError(std::string("--shard auto: ") + var +
                                  " is set; also set ORFEAS_SHARD_COUNT to the number of tasks");
            return checked({*id, *explicitCount, source}, text);
        }
    }
    // Grid Engine: 1-based task IDs with first/last/step.
    if (auto id = envInt("SGE_TASK_ID")) {
        const int first = envInt("SGE_TASK_FIRST").value_or(1);
        const int last = envInt("SGE_TASK_LAST").value_or(*id);
        const int step = std::max(1, envInt("SGE_TASK_STEPSIZE").value_or(1));
        return checked({int((std::int64_t(*id) - first) / step), int((std::int64_t(last) - first) / step + 1),
                        "grid-engine"},
                       text);
    }
    if (auto id = envInt("ORFEAS_SHARD_INDEX")) {
        if (!explicitCount)
            throw ConfigError("--shard auto: ORFEAS_SHARD_INDEX is set but ORFEAS_SHARD_COUNT is not");
        return checked({*id, *explicitCount, "environment"}, text);
    }
    throw ConfigError("--shard auto: no array-job index found in the environment (SLURM_ARRAY_TASK_ID, "
                      "JOB_COMPLETION_INDEX, AWS_BATCH_JOB_ARRAY_INDEX, SGE_TASK_ID or ORFEAS_SHARD_INDEX)");
}

} // namespace orfeas
