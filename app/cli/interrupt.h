#pragma once
// Ctrl-C / SIGTERM (scancel) handling for long batches: the first signal cancels running jobs cleanly (their
// temporaries are removed, finished outputs stay); a second one exits at once.

#include <functional>

namespace orfeas::cli {

class InterruptWatcher {
public:
    // Installs SIGINT/SIGTERM handlers for the lifetime of the object; `onInterrupt` runs on a watcher thread.
    explicit InterruptWatcher(std::function<void()> onInterrupt);
    ~InterruptWatcher();
    InterruptWatcher(const InterruptWatcher&) = delete;
    InterruptWatcher& operator=(const InterruptWatcher&) = delete;

    bool interrupted() const;
    // Simulates a signal (tests).
    void trigger();

private:
    struct Impl;
    Impl* m_impl;
};

} // namespace orfeas::cli
