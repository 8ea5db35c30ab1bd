#include "event_mailbox.h"

namespace orfeas::ui {

bool EventMailbox::wasEmptyLocked() const
{
    return m_batch.items.empty() && m_batch.outcomes.empty() && m_batch.droppedLogLines == 0;
}

bool EventMailbox::post(const orfeas::JobEvent& event, qint64 nowMs)
{
    std::lock_guard lock(m_mutex);
    const bool wasEmpty = wasEmptyLocked();
    using Type = orfeas::JobEvent::Type;
    if (event.type == Type::Progress) {
        const auto key = std::make_pair(JobId(event.id), int(event.progress.stage));
        if (auto it = m_progressIndex.find(key); it != m_progressIndex.end()) {
            Item& item = m_batch.items[it->second];
            item.event = event;
            item.lastMs = nowMs;
            return wasEmpty;
        }
        m_progressIndex.emplace(key, m_batch.items.size());
    } else if (event.type == Type::Log) {
        if (m_pendingLogLines >= m_maxLogLines) {
            ++m_batch.droppedLogLines;
            return wasEmpty;
        }
        ++m_pendingLogLines;
    }
    m_batch.items.push_back({event, nowMs, nowMs});
    return wasEmpty;
}

bool EventMailbox::postOutcome(JobId id, std::shared_ptr<const JobOutcome> outcome)
{
    std::lock_guard lock(m_mutex);
    const bool wasEmpty = wasEmptyLocked();
    m_batch.outcomes[id] = std::move(outcome);
    return wasEmpty;
}

EventMailbox::Batch EventMailbox::drain()
{
    std::lock_guard lock(m_mutex);
    Batch out = std::move(m_batch);
    m_batch = Batch{};
    m_progressIndex.clear();
    m_pendingLogLines = 0;
    return out;
}

} // namespace orfeas::ui
