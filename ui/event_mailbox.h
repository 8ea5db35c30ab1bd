#pragma once
// Collects job events from worker threads until the GUI thread drains them. Progress events of the same job and
// stage are coalesced (the latest wins, the first one's time is kept), so a fast engine loop cannot flood the
// event loop; lifecycle and log events are kept in order. Thread-safe.

#include "job_types.h"

#include "orfeas/job_queue.h"

#include <map>
#include <mutex>
#include <utility>
#include <vector>

namespace orfeas::ui {

class EventMailbox {
public:
    struct Item {
        orfeas::JobEvent event;
        qint64 firstMs = 0;   // when the first of the coalesced events happened
        qint64 lastMs = 0;    // when the latest happened
    };
    struct Batch {
        std::vector<Item> items;
        std::map<JobId, std::shared_ptr<const JobOutcome>> outcomes;
        int droppedLogLines = 0;
    };

    explicit EventMailbox(int maxPendingLogLines = 5000) : m_maxLogLines(maxPendingLogLines) {}

    // Each returns true when the mailbox was empty, i.e. the caller must schedule a drain.
    bool post(const orfeas::JobEvent& event, qint64 nowMs);
    bool postOutcome(JobId id, std::shared_ptr<const JobOutcome> outcome);

    // Takes everything posted so far.
    Batch drain();

private:
    bool wasEmptyLocked() const;

    std::mutex m_mutex;
    Batch m_batch;
    std::map<std::pair<JobId, int>, std::size_t> m_progressIndex; // (job, stage) -> position in items
    int m_pendingLogLines = 0;
    const int m_maxLogLines;
};

} // namespace orfeas::ui
