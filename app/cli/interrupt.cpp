#include "interrupt.h"

#include <atomic>
#include <csignal>
#include <thread>

#include <fcntl.h>
#include <unistd.h>

namespace orfeas::cli {

namespace {
// Signal handlers may only touch lock-free atomics and write(): wake the watcher thread through a pipe.
std::atomic<int> g_wakeFd{-1};
std::atomic<int> g_signals{0};

extern "C" void onSignal(int)
{
    if (g_signals.fetch_add(1) >= 1)
        ::_exit(130); // second signal: the user insists
    const int fd = g_wakeFd.load();
    if (fd >= 0) {
        const char c = 1;
        [[maybe_unused]] auto n = ::write(fd, &c, 1);
    }
}
} // namespace

struct InterruptWatcher::Impl {
    int pipe[2] = {-1, -1};
    std::thread thread;
    std::atomic<bool> interrupted{false};
    std::function<void()> callback;
    struct sigaction oldInt {};
    struct sigaction oldTerm {};
};

InterruptWatcher::InterruptWatcher(std::function<void()> onInterrupt)
    : m_impl(new Impl)
{
    m_impl->callback = std::move(onInterrupt);
    if (::pipe2(m_impl->pipe, O_CLOEXEC) != 0)
        m_impl->pipe[0] = m_impl->pipe[1] = -1;
    g_signals = 0;
    g_wakeFd = m_impl->pipe[1];
    struct sigaction sa {};
    sa.sa_handler = onSignal;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGINT, &sa, &m_impl->oldInt);
    ::sigaction(SIGTERM, &sa, &m_impl->oldTerm);
    m_impl->thread = std::thread([impl = m_impl] {
        char c = 0;
        while (impl->pipe[0] >= 0 && ::read(impl->pipe[0], &c, 1) == 1) {
            if (c == 0)
                return; // shutdown
            impl->interrupted = true;
            if (impl->callback)
                impl->callback();
        }
    });
}

InterruptWatcher::~InterruptWatcher()
{
    ::sigaction(SIGINT, &m_impl->oldInt, nullptr);
    ::sigaction(SIGTERM, &m_impl->oldTerm, nullptr);
    g_wakeFd = -1;
    if (m_impl->pipe[1] >= 0) {
        const char c = 0;
        [[maybe_unused]] auto n = ::write(m_impl->pipe[1], &c, 1);
    }
    if (m_impl->thread.joinable())
        m_impl->thread.join();
    for (int fd : m_impl->pipe)
        if (fd >= 0)
            ::close(fd);
    delete m_impl;
}

bool InterruptWatcher::interrupted() const
{
    return m_impl->interrupted;
}

void InterruptWatcher::trigger()
{
    if (m_impl->pipe[1] >= 0) {
        const char c = 1;
        [[maybe_unused]] auto n = ::write(m_impl->pipe[1], &c, 1);
    }
}

} // namespace orfeas::cli
