#include "orfeas/models.h"

#include "orfeas/errors.h"
#include "orfeas/safetensors.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>

namespace fs = std::filesystem;

namespace orfeas {

namespace {

std::string envOr(const char* name, const std::string& fallback)
{
    const char* v = std::getenv(name);
    return (v && *v) ? std::string(v) : fallback;
}

std::string home()
{
    return envOr("HOME", "/");
}

bool isDir(const fs::path& p)
{
    std::error_code ec;
    return fs::is_directory(p, ec);
}

bool isFile(const fs::path& p)
{
    std::error_code ec;
    return fs::is_regular_file(p, ec);
}

std::vector<fs::path> subdirs(const fs::path& p)
{
    std::vector<fs::path> out;
    std::error_code ec;
    for (fs::directory_iterator it(p, fs::directory_options::skip_permission_denied, ec), end; !ec && it != end;
         it.increment(ec)) {
        if (it->is_directory(ec))
            out.push_back(it->path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

// A generator folder has a config.yaml describing a denoiser (model) and a conditioner.
bool looksLikeGenerator(const fs::path& folder)
{
    const fs::path cfg = folder / "config.yaml";
    if (!isFile(cfg))
        return false;
    try {
        const YAML::Node root = YAML::LoadFile(cfg.string());
        return root.IsMap() && root["model"] && root["conditioner"];
    } catch (const YAML::Exception&) {
        return true; // let inspect report the broken config
    }
}

void collectGenerators(const fs::path& dir, int depth, std::vector<fs::path>& out)
{
    if (depth < 0 || !isDir(dir))
        return;
    if (looksLikeGenerator(dir)) {
        out.push_back(dir);
        return;
    }
    for (const auto& sub : subdirs(dir))
        collectGenerators(sub, depth - 1, out);
}

} // namespace

std::vector<std::string> modelSearchRoots()
{
    std::vector<std::string> roots;
    roots.push_back(envOr("HY3DGEN_MODELS", home() + "/.cache/hy3dgen"));
    std::string hub = envOr("HF_HUB_CACHE", "");
    if (hub.empty())
        hub = envOr("HF_HOME", home() + "/.cache/huggingface") + "/hub";
    roots.push_back(hub);
    return roots;
}

ModelFolderInfo inspectModelFolder(const std::string& folder)
{
    ModelFolderInfo info;
    const fs::path dir(folder);
    info.path = dir.lexically_normal().string();
    info.variant = dir.filename().string();
    // Layout hints: .../<org>/<repo>/<variant> or .../models--<org>--<repo>/snapshots/<hash>/<variant>
    const fs::path parent = dir.parent_path();
    if (parent.parent_path().filename() == "snapshots") {
        std::string repoDir = parent.parent_path().parent_path().filename().string();
        if (repoDir.rfind("models--", 0) == 0) {
            repoDir = repoDir.substr(8);
            const auto sep = repoDir.find("--");
            if (sep != std::string::npos)
                info.repo = repoDir.substr(0, sep) + "/" + repoDir.substr(sep + 2);
        }
    } else if (!parent.empty() && !parent.parent_path().empty()) {
        info.repo = parent.parent_path().filename().string() + "/" + parent.filename().string();
    }
    if (!isDir(dir)) {
        info.problem = "folder does not exist";
        return info;
    }
    const fs::path cfg = dir / "config.yaml";
    if (!isFile(cfg)) {
        info.problem = "no config.yaml in the folder";
        return info;
    }
    try {
        const YAML::Node root = YAML::LoadFile(cfg.string());
        if (!root.IsMap() || !root["model"] || !root["conditioner"]) {
            info.problem = "config.yaml describes no image-to-shape generator (no model/conditioner section)";
            return info;
        }
        if (const auto p = root["model"]["params"]; p && p["guidance_embed"])
            info.guidanceEmbed = p["guidance_embed"].as<bool>();
        if (const auto s = root["scheduler"]; s && s["target"]) {
            std::string t = s["target"].as<std::string>();
            info.scheduler = t.substr(t.find_last_of('.') + 1);
        }
    } catch (const YAML::Exception& e) {
        info.problem = std::string("config.yaml is not valid YAML: ") + e.what();
        return info;
    }
    for (const char* name : {"model.fp16.safetensors", "model.safetensors"}) {
        if (isFile(dir / name))
            info.weightsFiles.push_back((dir / name).string());
    }
    if (info.weightsFiles.empty()) {
        if (isFile(dir / "model.fp16.ckpt") || isFile(dir / "model.ckpt"))
            info.problem = "only a pickle checkpoint (.ckpt) is present; ORFEAS never loads pickles (they can run "
                           "code). Convert it to model.fp16.safetensors, or download the safetensors files";
        else
            info.problem = "no model.fp16.safetensors or model.safetensors in the folder";
        return info;
    }
    info.weightsFile = info.weightsFiles.front();
    try {
        SafetensorsFile f(info.weightsFile);
        info.bytes = f.fileSize();
        std::map<std::string, std::int64_t> byType;
        for (const auto& t : f.tensors()) {
            info.parameters += t.elementCount();
            byType[dtypeName(t.dtype)] += t.elementCount();
        }
        std::int64_t best = -1;
        for (const auto& [type, n] : byType) {
            if (n > best) {
                best = n;
                info.dtype = type;
            }
        }
        if (!f.contains("model.latent_in.weight") || !f.contains("vae.post_kl.weight"))
            info.problem = "the weights file lacks the denoiser or the VAE (keys model.* / vae.*)";
        else
            info.usable = true;
    } catch (const Error& e) {
        info.problem = e.message();
    }
    return info;
}

std::vector<ModelFolderInfo> discoverModelFolders(const std::vector<std::string>& extraRoots)
{
    std::vector<fs::path> found;
    for (const auto& root : modelSearchRoots()) {
        const fs::path r(root);
        if (r.filename() == "hub" || r.string().find("huggingface") != std::string::npos) {
            for (const auto& repo : subdirs(r)) {
                if (repo.filename().string().rfind("models--", 0) != 0)
                    continue;
                for (const auto& snap : subdirs(repo / "snapshots"))
                    collectGenerators(snap, 1, found);
            }
        } else {
            collectGenerators(r, 3, found);
        }
    }
    for (const auto& root : extraRoots)
        collectGenerators(root, 3, found);
    std::set<std::string> seen;
    std::vector<ModelFolderInfo> out;
    for (const auto& p : found) {
        std::error_code ec;
        const std::string key = fs::weakly_canonical(p, ec).string();
        if (!seen.insert(key.empty() ? p.string() : key).second)
            continue;
        out.push_back(inspectModelFolder(p.string()));
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
    return out;
}

ModelFolderInfo resolveModelFolder(const std::string& spec)
{
    auto describeRoots = [] {
        std::string s;
        for (const auto& r : modelSearchRoots())
            s += (s.empty() ? "" : ", ") + r;
        return s;
    };
    if (!spec.empty() && isDir(spec)) {
        ModelFolderInfo info = inspectModelFolder(spec);
        if (!info.usable) {
            // A repository folder holding generator subfolders: take the first usable one.
            std::vector<fs::path> inner;
            collectGenerators(spec, 3, inner);
            for (const auto& p : inner) {
                ModelFolderInfo sub = inspectModelFolder(p.string());
                if (sub.usable)
                    return sub;
            }
            throw ModelError("model folder is not usable: " + info.problem, spec, std::nullopt);
        }
        return info;
    }
    const auto all = discoverModelFolders();
    auto matches = [&](const ModelFolderInfo& m) {
        if (spec.empty())
            return true;
        const std::string full = m.repo.empty() ? m.variant : m.repo + "/" + m.variant;
        return m.variant == spec || full == spec || m.repo == spec;
    };
    const ModelFolderInfo* best = nullptr;
    for (const auto& m : all) {
        if (!m.usable || !matches(m))
            continue;
        if (!best || (m.variant == "hunyuan3d-dit-v2-0" && best->variant != "hunyuan3d-dit-v2-0"))
            best = &m;
    }
    if (best)
        return *best;
    for (const auto& m : all) {
        if (matches(m))
            throw ModelError("model '" + (spec.empty() ? m.variant : spec) + "' is not usable: " + m.problem, m.path,
                             std::nullopt);
    }
    throw ModelError(spec.empty() ? "no Hunyuan3D-2 model folder found (searched " + describeRoots() +
                                        "; set HY3DGEN_MODELS or pass --model <folder>)"
                                  : "model '" + spec + "' not found (searched " + describeRoots() + ")",
                     spec, std::nullopt);
}

} // namespace orfeas
