// The CLI's file and folder handling: planBatch over a folder of fuzzed file names (and symlinks), sanitizeStem,
// plannedOutputs for the resulting stems, parseShard with fuzzed "i/n" text and fuzzed array-job environment
// variables.
//
// Containment: everything happens inside a private folder made with mkdtemp under $TMPDIR (or /tmp) when the
// harness first runs, and removed at exit. Fuzzed names are only ever created below that folder: a name is
// refused when it is absolute or has a ".." component, files are created with O_EXCL | O_NOFOLLOW, symlink
// targets are relative without "..", and paths handed to planBatch must stay inside lexically. planBatch and
// plannedOutputs only read and compose paths; nothing here writes outside the folder.
//
// Input format (one field per line):
//   "#<text>"   parseShard(<text>)
//   "=<k><v>"   sets environment variable number (code of the character k) % 12 of the list below to <v> before
//               parseShard("auto"); '0'..'9', ':' and ';' pick 0..11
//   "@<a>><b>"  a symlink <a> pointing to <b>
//   "+<path>"   an extra planBatch input (relative to the folder)
//   "R"         recursive planning
//   otherwise   a file to create (may contain '/': subfolders)
#include "fuzz_targets.h"

#include "orfeas/batch.h"
#include "orfeas/errors.h"
#include "orfeas/pipeline.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <set>
#include <string>
#include <system_error>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace orfeas::fuzz {

namespace {

constexpr const char* kName = "fuzz_batch_paths";

constexpr const char* kEnvVars[] = {
    "SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT", "SLURM_ARRAY_TASK_MIN", "SLURM_ARRAY_TASK_STEP",
    "JOB_COMPLETION_INDEX", "ORFEAS_SHARD_COUNT",    "ORFEAS_SHARD_INDEX",   "AWS_BATCH_JOB_ARRAY_INDEX",
    "SGE_TASK_ID",          "SGE_TASK_FIRST",        "SGE_TASK_LAST",        "SGE_TASK_STEPSIZE",
};
constexpr std::size_t kEnvCount = sizeof kEnvVars / sizeof kEnvVars[0];

struct Sandbox {
    fs::path root;
    Sandbox()
    {
        const char* tmp = std::getenv("TMPDIR");
        std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/orfeas-fuzz-batch-XXXXXX";
        if (!::mkdtemp(pattern.data()))
            contractViolated(kName, "cannot create the sandbox folder", std::strerror(errno));
        root = fs::canonical(pattern);
    }
    ~Sandbox()
    {
        std::error_code ec;
        fs::remove_all(root, ec);
    }
};

Sandbox& sandbox()
{
    static Sandbox s;
    return s;
}

// A relative path that cannot leave its base: not absolute, no "..", not empty, no NUL.
bool safeRelative(const std::string& s)
{
    if (s.empty() || s.size() > 400 || s.find('\0') != std::string::npos || s.front() == '/')
        return false;
    const fs::path p(s);
    for (const auto& part : p)
        if (part == "..")
            return false;
    return true;
}

bool insideLexically(const fs::path& base, const fs::path& p)
{
    const std::string b = base.lexically_normal().string();
    const std::string n = p.lexically_normal().string();
    return n == b || (n.size() > b.size() && n.compare(0, b.size(), b) == 0 && n[b.size()] == '/');
}

void createFile(const fs::path& dir, const std::string& rel)
{
    if (!safeRelative(rel))
        return;
    const fs::path p = dir / rel;
    std::error_code ec;
    fs::create_directories(p.parent_path(), ec);
    const int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd >= 0) {
        (void)::write(fd, "x", 1);
        ::close(fd);
    }
}

void createSymlink(const fs::path& dir, const std::string& spec)
{
    const auto arrow = spec.find('>');
    if (arrow == std::string::npos)
        return;
    const std::string link = spec.substr(0, arrow), target = spec.substr(arrow + 1);
    if (!safeRelative(link) || !safeRelative(target))
        return;
    std::error_code ec;
    fs::create_directories((dir / link).parent_path(), ec);
    fs::create_symlink(target, dir / link, ec);
}

bool safeStemChars(const std::string& s)
{
    for (unsigned char c : s)
        if (c < 0x20 || c == 0x7f || c == '/' || c == '\\')
            return false;
    return true;
}

void checkSanitized(const std::string& raw)
{
    const std::string s = sanitizeStem(raw);
    if (s.empty())
        contractViolated(kName, "sanitizeStem returned an empty stem");
    if (!safeStemChars(s))
        contractViolated(kName, "sanitizeStem kept a separator or control character", s.c_str());
    if (s == "." || s == ".." || s.front() == '.' || s.front() == ' ')
        contractViolated(kName, "sanitizeStem returned a hidden or dot name", s.c_str());
    if (s.back() == '.' || s.back() == ' ')
        contractViolated(kName, "sanitizeStem returned a stem with a trailing dot or space", s.c_str());
    if (s.size() > 180)
        contractViolated(kName, "sanitizeStem returned more than 180 bytes");
    if (sanitizeStem(s) != s)
        contractViolated(kName, "sanitizeStem is not idempotent", s.c_str());
}

void checkOutputsInside(const fs::path& out, JobRequest request, const char* what)
{
    request.outputDir = out.string();
    request.settings.formats = {ExportFormat::Glb, ExportFormat::Obj, ExportFormat::Stl, ExportFormat::Ply};
    for (const std::string& p : plannedOutputs(request)) {
        const fs::path path(p);
        if (path.lexically_normal().parent_path() != out || path.filename() == "." || path.filename() == ".." ||
            path.filename().string().front() == '.')
            contractViolated(kName, what, p.c_str());
    }
}

void checkShard(const ShardSpec& s, const std::string& text)
{
    if (s.count < 1 || s.index < 0 || s.index >= s.count)
        contractViolated(kName, "parseShard returned an impossible shard", text.c_str());
}

} // namespace

int fuzzBatchPaths(const std::uint8_t* data, std::size_t size)
{
    Sandbox& box = sandbox();
    const fs::path work = box.root / "in";
    const fs::path out = box.root / "out";
    std::error_code ec;
    fs::remove_all(work, ec);
    fs::create_directories(work, ec);

    std::vector<std::string> fields;
    {
        std::string cur;
        for (std::size_t i = 0; i < size && fields.size() < 64; ++i) {
            if (data[i] == '\n') {
                fields.push_back(cur);
                cur.clear();
            } else {
                cur.push_back(char(data[i]));
            }
        }
        if (!cur.empty() && fields.size() < 64)
            fields.push_back(cur);
    }

    for (const char* v : kEnvVars)
        ::unsetenv(v);
    std::vector<std::string> shardTexts;
    std::vector<std::string> extraInputs;
    std::vector<std::string> names;
    bool recursive = false;
    for (const std::string& f : fields) {
        if (f.empty())
            continue;
        checkSanitized(f);
        switch (f.front()) {
        case '#': shardTexts.push_back(f.substr(1)); break;
        case '=':
            if (f.size() >= 2 && f.find('\0') == std::string::npos)
                ::setenv(kEnvVars[std::size_t(static_cast<unsigned char>(f[1])) % kEnvCount], f.c_str() + 2, 1);
            break;
        case '@': createSymlink(work, f.substr(1)); break;
        case '+': extraInputs.push_back(f.substr(1)); break;
        case 'R':
            if (f.size() == 1) {
                recursive = true;
                break;
            }
            [[fallthrough]];
        default:
            names.push_back(f);
            createFile(work, f);
        }
    }

    // --- sharding
    for (const std::string& text : shardTexts) {
        try {
            checkShard(parseShard(text), text);
        } catch (const ConfigError&) {
        } catch (const std::exception& e) {
            contractViolated(kName, "parseShard threw something other than ConfigError", e.what());
        }
    }
    try {
        checkShard(parseShard("auto"), "auto");
    } catch (const ConfigError&) {
    } catch (const std::exception& e) {
        contractViolated(kName, "parseShard(auto) threw something other than ConfigError", e.what());
    }

    // --- planning
    std::vector<std::string> inputs = {work.string()};
    for (const std::string& rel : extraInputs) {
        if (rel.empty() || rel.find('\0') != std::string::npos || rel.front() == '/' ||
            !insideLexically(work, work / rel))
            continue;
        inputs.push_back((work / rel).string());
    }
    std::vector<BatchItem> items;
    try {
        items = planBatch(inputs, recursive);
    } catch (const BadInputError&) {
        return 0; // an extra input that does not exist
    } catch (const std::exception& e) {
        contractViolated(kName, "planBatch threw something other than BadInputError", e.what());
    }
    std::set<std::string> stems;
    for (std::size_t i = 0; i < items.size(); ++i) {
        const BatchItem& item = items[i];
        if (i > 0 && !(items[i - 1].inputPath < item.inputPath))
            contractViolated(kName, "planBatch items are not sorted and unique", item.inputPath.c_str());
        if (!fs::path(item.inputPath).is_absolute())
            contractViolated(kName, "planBatch returned a relative input path", item.inputPath.c_str());
        const std::string& s = item.outputStem;
        if (s.empty() || !safeStemChars(s) || s.front() == '.' || s == "..")
            contractViolated(kName, "planBatch returned an unsafe output stem", s.c_str());
        std::string lowered = s;
        std::transform(lowered.begin(), lowered.end(), lowered.begin(),
                       [](unsigned char c) { return char(std::tolower(c)); });
        if (!stems.insert(lowered).second)
            contractViolated(kName, "two batch items share an output stem", s.c_str());
        JobRequest r;
        r.inputPath = item.inputPath;
        r.outputStem = item.outputStem;
        checkOutputsInside(out, r, "a batch output would leave the output folder");
    }
    for (int count = 1; count <= 3; ++count) {
        std::size_t total = 0;
        for (int index = 0; index < count; ++index)
            total += selectShard(items, index, count).size();
        if (total != items.size())
            contractViolated(kName, "the shards do not add up to the batch");
    }
    // Raw names as a caller (the GUI, a script) might pass them: the pipeline sanitises them itself.
    for (const std::string& name : names) {
        JobRequest r;
        r.outputStem = name;
        checkOutputsInside(out, r, "a raw output stem leaves the output folder");
        JobRequest byInput;
        byInput.inputPath = name;
        checkOutputsInside(out, byInput, "an input path's stem leaves the output folder");
        JobRequest byName;
        byName.inputName = name;
        checkOutputsInside(out, byName, "an input name's stem leaves the output folder");
    }
    fs::remove_all(work, ec);
    return 0;
}

} // namespace orfeas::fuzz
