// orfeas: the headless command line. All work happens in the engine; this only parses and reports.

#include "orfeas/process_setup.h"
#include "cli_commands.h"

#include <exception>
#include <iostream>

int main(int argc, char** argv)
{
    orfeas::configureProcess();
    try {
        return orfeas::cli::runCli(argc, argv, std::cout, std::cerr);
    } catch (const std::exception& e) {
        // Last resort: every expected failure is handled inside with its own exit status.
        std::cerr << "orfeas: internal error: " << e.what() << "\n";
        return 70;
    }
}
