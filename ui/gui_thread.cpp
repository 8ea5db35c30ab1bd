#include "gui_thread.h"

#include <QCoreApplication>
#include <QThread>
#include <QtGlobal>

#include <atomic>

namespace orfeas::ui {

namespace {
std::atomic<int> g_violations{0};
}

int guiThreadViolations() noexcept
{
    return g_violations.load();
}

bool checkGuiThread(const char* where) noexcept
{
    const QCoreApplication* app = QCoreApplication::instance();
    if (!app || QThread::currentThread() == app->thread())
        return true;
    ++g_violations;
    qCritical("GUI-thread code called from a worker thread: %s", where);
    return false;
}

} // namespace orfeas::ui
