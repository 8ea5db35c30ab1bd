#pragma once
// CLI11 validators shared by the programs' option parsers (orfeas, orfeas-bench): they reuse the engine's own
// parsers, so that a bad value gets the same message everywhere. Header-only; needs CLI11.

#include "orfeas/errors.h"

#include <CLI/CLI.hpp>

#include <string>

namespace orfeas::app {

// A validator that runs `parse` (an engine parser throwing orfeas::Error) on the value and reports its message.
template <typename Parse> CLI::Validator engineValidator(Parse parse, const std::string& name)
{
    return CLI::Validator(
        [parse](std::string& value) -> std::string {
            try {
                parse(value);
                return {};
            } catch (const Error& e) {
                return e.message();
            }
        },
        name);
}

} // namespace orfeas::app
