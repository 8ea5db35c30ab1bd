// `orfeas model ...`: inspect model folders.

#include "cli_commands.h"
#include "cli_info.h"

#include "orfeas/models.h"

#include <nlohmann/json.hpp>

#include <ostream>

namespace orfeas::cli {

int runModelList(bool json, std::ostream& out)
{
    const auto models = discoverModelFolders();
    if (json) {
        nlohmann::ordered_json arr = nlohmann::ordered_json::array();
        for (const auto& m : models)
            arr.push_back({{"path", m.path}, {"repo", m.repo}, {"variant", m.variant}, {"usable", m.usable},
                           {"weights", m.weightsFile}, {"dtype", m.dtype}, {"bytes", m.bytes},
                           {"parameters", m.parameters}, {"guidance_embed", m.guidanceEmbed},
                           {"scheduler", m.scheduler}, {"problem", m.problem}});
        out << arr.dump(2) << "\n";
        return kExitOk;
    }
    if (models.empty()) {
        out << "no model folders found under:";
        for (const auto& r : modelSearchRoots())
            out << " " << r;
        out << "\n";
    }
    for (const auto& m : models) {
        out << (m.usable ? "[x] " : "[ ] ") << m.path << "\n";
        if (m.usable)
            out << "    " << m.variant << ", " << m.dtype << ", " << m.parameters / 1000000 << " M parameters, "
                << m.bytes / (1024 * 1024) << " MiB" << (m.guidanceEmbed ? ", guidance-distilled" : "") << ", "
                << m.scheduler << "\n";
        else
            out << "    " << m.problem << "\n";
    }
    return kExitOk;
}

} // namespace orfeas::cli
