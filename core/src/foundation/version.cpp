#include "orfeas/version.h"

#include <string>

namespace orfeas {

const char* versionString() noexcept
{
    return ORFEAS_VERSION;
}

const char* buildDescription() noexcept
{
    static const std::string text = [] {
        std::string s = "orfeas " ORFEAS_VERSION " (" ORFEAS_BUILD_TYPE ", ";
#if defined(__clang__)
        s += "clang " __clang_version__;
#elif defined(__GNUC__)
        s += "g++ " __VERSION__;
#endif
#ifdef ORFEAS_HAVE_NEURAL
        s += ", neural backend on LibTorch";
#else
        s += ", without LibTorch";
#endif
        s += ")";
        return s;
    }();
    return text.c_str();
}

} // namespace orfeas
