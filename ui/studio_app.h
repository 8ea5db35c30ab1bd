#pragma once
// The studio's start-up: application identity (so QSettings and QStandardPaths find their places), command line,
// translations, the main window. app/studio/main.cpp only calls this.

namespace orfeas::ui {

// Runs the studio; returns the exit code.
int runStudio(int argc, char** argv);

} // namespace orfeas::ui
