// orfeas-studio: starts the studio (ui/studio_app.cpp) with a last-resort catch.

#include "orfeas/process_setup.h"
#include "studio_app.h"

#include <QCoreApplication>
#include <QTimer>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>

namespace {

int g_quitAfterMs = -1;

// Runs when the QApplication is constructed: once its event loop runs, quit after the requested time.
void scheduleQuit()
{
    QTimer::singleShot(0, QCoreApplication::instance(), [] {
        QTimer::singleShot(g_quitAfterMs, QCoreApplication::instance(), &QCoreApplication::quit);
    });
}

// --quit-after-ms N (or --quit-after-ms=N): start normally, quit N ms after the event loop started. For smoke tests
// of installed builds under Xvfb (the package test). Taken out of argv before the studio parses its options.
bool takeQuitOption(int& argc, char** argv)
{
    static const char kOption[] = "--quit-after-ms";
    const std::size_t n = std::strlen(kOption);
    for (int i = 1; i < argc; ++i) {
        const char* value = nullptr;
        int used = 1;
        if (std::strcmp(argv[i], kOption) == 0 && i + 1 < argc) {
            value = argv[i + 1];
            used = 2;
        } else if (std::strncmp(argv[i], kOption, n) == 0 && argv[i][n] == '=') {
            value = argv[i] + n + 1;
        } else {
            continue;
        }
        char* end = nullptr;
        const long ms = std::strtol(value, &end, 10);
        if (end == value || *end != '\0' || ms < 0 || ms > 24L * 3600 * 1000) {
            std::fprintf(stderr, "orfeas-studio: --quit-after-ms needs milliseconds, not '%s'\n", value);
            std::exit(2);
        }
        g_quitAfterMs = static_cast<int>(ms);
        for (int j = i; j + used <= argc; ++j)
            argv[j] = argv[j + used];
        argc -= used;
        return true;
    }
    return false;
}

} // namespace

int main(int argc, char** argv)
{
    orfeas::configureProcess();
    try {
        if (takeQuitOption(argc, argv))
            qAddPreRoutine(scheduleQuit);
        return orfeas::ui::runStudio(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "orfeas-studio: unexpected error: %s\n", e.what());
    } catch (...) {
        std::fprintf(stderr, "orfeas-studio: unexpected error\n");
    }
    return 1;
}
