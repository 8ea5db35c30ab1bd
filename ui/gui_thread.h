#pragma once
// A guard for code that must only run on the GUI thread (widget updates, model changes). Engine callbacks arrive
// on worker threads; they are marshalled with queued calls, and these checks prove it in tests.

namespace orfeas::ui {

// How many times guarded code ran on another thread since start. Thread-safe.
int guiThreadViolations() noexcept;

// True on the GUI thread. Otherwise counts a violation, logs it with qCritical and returns false. Thread-safe.
bool checkGuiThread(const char* where) noexcept;

} // namespace orfeas::ui

#define ORFEAS_GUI_THREAD_ONLY() ::orfeas::ui::checkGuiThread(static_cast<const char*>(Q_FUNC_INFO))
