#include "fuzz_targets.h"

#include <cstdio>
#include <cstdlib>

namespace orfeas::fuzz {

void contractViolated(const char* harness, const char* what, const char* detail)
{
    std::fprintf(stderr, "\n[%s] contract violated: %s%s%s\n", harness, what, detail ? ": " : "", detail ? detail : "");
    std::fflush(stderr);
    std::abort();
}

} // namespace orfeas::fuzz
