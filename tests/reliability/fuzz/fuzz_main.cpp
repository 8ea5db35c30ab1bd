// libFuzzer entry point: compiled once per harness with ORFEAS_FUZZ_ENTRY naming the harness function.
#include "fuzz_targets.h"

#ifndef ORFEAS_FUZZ_ENTRY
#error "ORFEAS_FUZZ_ENTRY must name the harness"
#endif

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    return orfeas::fuzz::ORFEAS_FUZZ_ENTRY(data, size);
}
