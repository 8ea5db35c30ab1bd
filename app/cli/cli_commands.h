#pragma once
// The `orfeas` command line. Every command runs jobs through the engine's JobQueue (the same path as the GUI).

#include <iosfwd>
#include <string>
#include <vector>

namespace orfeas::cli {

// Exit status contract (scripts and render farms depend on it).
enum ExitCode : int {
    kExitOk = 0,          // every input done (or skipped because complete)
    kExitSomeFailed = 1,  // some inputs failed; the others were still done
    kExitUsage = 2,       // usage or configuration error
    kExitInterrupted = 130,
};

// Parses and runs a whole command line. `out` gets results (and JSON lines with --json), `err` diagnostics.
int runCli(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

} // namespace orfeas::cli
