// orfeas-studio: starts the studio (ui/studio_app.cpp) with a last-resort catch.

#include "studio_app.h"

#include <cstdio>
#include <exception>

int main(int argc, char** argv)
{
    try {
        return orfeas::ui::runStudio(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "orfeas-studio: unexpected error: %s\n", e.what());
    } catch (...) {
        std::fprintf(stderr, "orfeas-studio: unexpected error\n");
    }
    return 1;
}
