#pragma once
// Cross-job batching of diffusion sampling: runs of one backend whose sampling settings match meet here, and one
// of them (the leader) samples all their latents in one loop (HunyuanModel::sample with a batch) and hands each
// member its rows. Torch-free (templated on what a run brings and what it gets back), so that it is tested alone
// (tests/core/neural/tst_batch_rendezvous.cpp).
//
// The protocol, for a backend with several runs on one device:
// - A run takes an Expected ticket when it enters the backend (before it waits for a device slot and conditions
//   its image): while it holds one, a leader may wait for it.
// - At its sampling stage the run calls join() with its key (the settings that must match) and its input, which
//   gives the ticket back. If an open group with the same key has room, the run follows it: it waits for its
//   output. Otherwise it opens a group and leads it: it waits until the group is full, or no other run is expected
//   (and the group has Options::minBatch runs), or the window has passed, whichever comes first; then the group
//   closes. Alone in it, the run samples alone
//   (no batching, no delay when nothing else is coming).
// - A leader samples the group's inputs, then hands out the outputs (finish); if it fails or is cancelled, its turn
//   gives up the group (abandon, also by its destructor), and each follower gets no output and samples alone.
// - A follower that is cancelled while waiting leaves at once; the leader still computes its rows (their inputs
//   are in the batch) but does not hand them out, and no longer reports progress to it.

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

namespace orfeas::neural {

template <typename Key, typename Input, typename Output> class BatchRendezvous {
public:
    struct Options {
        int maxBatch = 2; // runs per group at most; below 2 every run samples alone
        std::chrono::milliseconds window { 500 }; // a leader waits at most this long for the others
        // A leader waits (within the window) for this many runs in its group even when no other run is expected
        // yet: for benchmarks of batched sampling, and for farms that would rather wait than sample alone.
        int minBatch = 1;
    };
    // A follower's progress: called by the leader's thread after each of its steps (done, total).
    using Progress = std::function<void(int, int)>;

private:
    struct Member {
        Input input;
        Progress progress;
        std::optional<Output> output;
        bool done = false; // output set, or the leader gave up
        bool withdrawn = false; // cancelled while waiting: nothing more is handed to it
    };
    struct Group {
        Key key;
        std::vector<std::shared_ptr<Member>> members; // the leader's first
        bool closed = false;
    };

public:
    explicit BatchRendezvous(Options options)
        : m_options(options)
    {
    }
    BatchRendezvous(const BatchRendezvous&) = delete;
    BatchRendezvous& operator=(const BatchRendezvous&) = delete;

    int maxBatch() const { return m_options.maxBatch; }
    // Runs in groups whose leader still waits for others, the leaders included (for tests).
    std::size_t waitingRuns() const
    {
        const std::lock_guard<std::mutex> lock(m_mutex);
        std::size_t n = 0;
        for (const auto& g : m_open)
            n += g->members.size();
        return n;
    }

    // A run that will reach join() (or leave the backend before): counted while the ticket is held.
    class Expected {
    public:
        Expected() = default;
        Expected(Expected&& o) noexcept
            : m_owner(std::exchange(o.m_owner, nullptr))
        {
        }
        Expected& operator=(Expected&&) = delete;
        ~Expected() { release(); }
        void release()
        {
            if (!m_owner)
                return;
            {
                const std::lock_guard<std::mutex> lock(m_owner->m_mutex);
                --m_owner->m_expected;
            }
            m_owner->m_changed.notify_all();
            m_owner = nullptr;
        }

    private:
        friend class BatchRendezvous;
        explicit Expected(BatchRendezvous* owner)
            : m_owner(owner)
        {
        }
        BatchRendezvous* m_owner = nullptr;
    };
    Expected expect()
    {
        const std::lock_guard<std::mutex> lock(m_mutex);
        ++m_expected;
        return Expected(this);
    }

    enum class Role {
        Alone, // sample your own input
        Leader, // sample inputs() (yours first), then finish() with one output per input
        Follower, // output() holds your rows, or nothing when the leader gave up: then sample alone
        Cancelled, // cancelled while waiting
    };

    class Turn {
    public:
        Turn(Turn&& o) noexcept
            : m_owner(std::exchange(o.m_owner, nullptr))
            , m_role(o.m_role)
            , m_group(std::move(o.m_group))
            , m_inputs(std::move(o.m_inputs))
            , m_output(std::move(o.m_output))
            , m_others(o.m_others)
        {
        }
        Turn& operator=(Turn&&) = delete;
        ~Turn() { abandon(); }

        Role role() const { return m_role; }
        // The leader's batch: the members' inputs, its own first.
        const std::vector<Input>& inputs() const { return m_inputs; }
        // A follower's rows.
        std::optional<Output>& output() { return m_output; }
        // Runs in the batch besides the caller (leader or follower).
        int others() const { return m_others; }

        // The leader, after each step: the followers that still wait hear of it.
        void progress(int done, int total)
        {
            if (m_role != Role::Leader || !m_owner)
                return;
            const std::lock_guard<std::mutex> lock(m_owner->m_mutex);
            for (std::size_t i = 1; i < m_group->members.size(); ++i) {
                Member& m = *m_group->members[i];
                if (!m.withdrawn && !m.done && m.progress)
                    m.progress(done, total);
            }
        }
        // The leader hands out the outputs, one per input (its own, first, is not handed to anyone).
        void finish(std::vector<Output> outputs)
        {
            if (m_role != Role::Leader || !m_owner)
                return;
            {
                const std::lock_guard<std::mutex> lock(m_owner->m_mutex);
                for (std::size_t i = 1; i < m_group->members.size() && i < outputs.size(); ++i) {
                    Member& m = *m_group->members[i];
                    if (!m.withdrawn)
                        m.output = std::move(outputs[i]);
                    m.done = true;
                }
            }
            m_owner->m_changed.notify_all();
            m_owner = nullptr;
        }
        // The leader gives up: every follower still waiting samples alone.
        void abandon()
        {
            if (m_role != Role::Leader || !m_owner)
                return;
            {
                const std::lock_guard<std::mutex> lock(m_owner->m_mutex);
                for (const auto& m : m_group->members)
                    m->done = true;
            }
            m_owner->m_changed.notify_all();
            m_owner = nullptr;
        }

    private:
        friend class BatchRendezvous;
        Turn(BatchRendezvous* owner, Role role)
            : m_owner(owner)
            , m_role(role)
        {
        }
        BatchRendezvous* m_owner = nullptr;
        Role m_role = Role::Alone;
        std::shared_ptr<Group> m_group;
        std::vector<Input> m_inputs;
        std::optional<Output> m_output;
        int m_others = 0;
    };

    // The run's turn to sample (see the top of this file). `expected` is given back. `cancelled` is polled while
    // waiting; `progress` is how the leader reports its steps to this run if it follows.
    Turn join(const Key& key, Input input, Expected& expected, const std::function<bool()>& cancelled,
        Progress progress = {})
    {
        std::unique_lock<std::mutex> lock(m_mutex);
        // The ticket goes back under the same lock as the search below: a leader that sees nobody expected any
        // more must also see this run in its group, if it joins one.
        if (expected.m_owner == this) {
            --m_expected;
            expected.m_owner = nullptr;
            m_changed.notify_all();
        } else {
            expected.release();
        }
        if (m_options.maxBatch < 2)
            return Turn(this, Role::Alone);
        for (const auto& open : m_open) {
            if (open->closed || !(open->key == key) || int(open->members.size()) >= m_options.maxBatch)
                continue;
            // Our own reference: the leader takes the group out of m_open when it closes it, and may end its turn
            // (the group's last other owner) before this thread wakes.
            const std::shared_ptr<Group> g = open;
            auto self = std::make_shared<Member>(Member { std::move(input), std::move(progress), {}, false, false });
            g->members.push_back(self);
            m_changed.notify_all();
            while (!self->done) {
                m_changed.wait_for(lock, kPoll);
                if (!self->done && cancelled()) {
                    self->withdrawn = true;
                    if (!g->closed)
                        g->members.erase(std::find(g->members.begin(), g->members.end(), self));
                    m_changed.notify_all();
                    return Turn(this, Role::Cancelled);
                }
            }
            Turn turn(this, Role::Follower);
            turn.m_output = std::move(self->output);
            turn.m_others = int(g->members.size()) - 1;
            return turn;
        }

        auto group = std::make_shared<Group>();
        group->key = key;
        group->members.push_back(std::make_shared<Member>(Member { std::move(input), {}, {}, false, false }));
        m_open.push_back(group);
        const auto deadline = std::chrono::steady_clock::now() + m_options.window;
        bool wasCancelled = false;
        const auto wanted = [&] {
            const int size = int(group->members.size());
            return size < m_options.maxBatch && (m_expected > 0 || size < m_options.minBatch);
        };
        while (wanted() && std::chrono::steady_clock::now() < deadline) {
            m_changed.wait_until(lock, std::min(deadline, std::chrono::steady_clock::now() + kPoll));
            if (cancelled()) {
                wasCancelled = true;
                break;
            }
        }
        group->closed = true;
        m_open.erase(std::find(m_open.begin(), m_open.end(), group));
        if (wasCancelled || group->members.size() == 1) {
            // Cancelled, or nobody came: any followers sample alone.
            for (const auto& m : group->members)
                m->done = true;
            m_changed.notify_all();
            return Turn(this, wasCancelled ? Role::Cancelled : Role::Alone);
        }
        Turn turn(this, Role::Leader);
        turn.m_group = group;
        for (const auto& m : group->members)
            turn.m_inputs.push_back(m->input);
        turn.m_others = int(group->members.size()) - 1;
        return turn;
    }

private:
    static constexpr std::chrono::milliseconds kPoll { 20 };

    Options m_options;
    mutable std::mutex m_mutex;
    std::condition_variable m_changed;
    int m_expected = 0;
    std::vector<std::shared_ptr<Group>> m_open;
};

} // namespace orfeas::neural
