// The rendezvous behind cross-job batching of diffusion sampling (core/neural/src/batch_rendezvous.h), with plain
// values for inputs and outputs and threads for runs.

#include "batch_rendezvous.h"

#include <QtTest>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

using namespace orfeas::neural;
using namespace std::chrono_literals;

namespace {

using Rendezvous = BatchRendezvous<int, std::string, std::string>;
using Role = Rendezvous::Role;

Rendezvous::Options options(int maxBatch, std::chrono::milliseconds window = 5000ms, int minBatch = 1)
{
    Rendezvous::Options o;
    o.maxBatch = maxBatch;
    o.window = window;
    o.minBatch = minBatch;
    return o;
}

bool never() { return false; }

// Until `runs` runs wait in open groups (the first to come leads).
void untilWaiting(const Rendezvous& r, std::size_t runs = 1)
{
    while (r.waitingRuns() < runs)
        std::this_thread::sleep_for(1ms);
}

double secondsSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// A follower on its own thread: its role, its output and the progress it heard.
struct FollowerRun {
    std::atomic<int> role { -1 };
    std::string output;
    bool hadOutput = false;
    std::atomic<int> lastStep { 0 };
    std::thread thread;

    ~FollowerRun()
    {
        if (thread.joinable())
            thread.join(); // a failed check returns early; the leader's turn, destroyed first, releases the follower
    }

    // Joins once another run leads an open group (this thread follows it).
    void followLeader(Rendezvous& r, Rendezvous::Expected& ticket, int key, std::string input,
        std::function<bool()> cancelled = never)
    {
        start(r, ticket, key, std::move(input), std::move(cancelled), /*afterLeader=*/true);
    }
    void start(Rendezvous& r, Rendezvous::Expected& ticket, int key, std::string input,
        std::function<bool()> cancelled = never, bool afterLeader = false)
    {
        thread = std::thread([&, key, input, cancelled, afterLeader] {
            if (afterLeader)
                untilWaiting(r);
            auto turn = r.join(key, input, ticket, cancelled, [&](int done, int) { lastStep = done; });
            if (turn.role() == Role::Follower && turn.output()) {
                hadOutput = true;
                output = *turn.output();
            }
            role = int(turn.role());
        });
    }
};

} // namespace

class TestBatchRendezvous : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void withoutBatchingEveryRunIsAlone()
    {
        Rendezvous r(options(1));
        auto a = r.expect();
        auto b = r.expect(); // expected, but batching is off: no waiting
        const auto start = std::chrono::steady_clock::now();
        QCOMPARE(r.join(1, "a", a, never).role(), Role::Alone);
        QVERIFY(secondsSince(start) < 1.0);
    }

    // Nothing else on its way: the run samples alone at once.
    void aLoneRunDoesNotWait()
    {
        Rendezvous r(options(4));
        auto a = r.expect();
        const auto start = std::chrono::steady_clock::now();
        QCOMPARE(r.join(1, "a", a, never).role(), Role::Alone);
        QVERIFY(secondsSince(start) < 1.0);
    }

    void twoRunsMeet()
    {
        Rendezvous r(options(4));
        auto a = r.expect();
        auto b = r.expect();
        FollowerRun follower;
        // The leader is whoever comes first: this thread (the follower starts once it leads).
        follower.followLeader(r, b, 7, "b");
        auto turn = r.join(7, "a", a, never);
        QCOMPARE(turn.role(), Role::Leader);
        QCOMPARE(turn.inputs(), (std::vector<std::string> { "a", "b" }));
        QCOMPARE(turn.others(), 1);
        turn.progress(3, 5);
        QCOMPARE(follower.lastStep.load(), 3);
        turn.finish({ "A", "B" });
        follower.thread.join();
        QCOMPARE(follower.role.load(), int(Role::Follower));
        QVERIFY(follower.hadOutput);
        QCOMPARE(follower.output, std::string("B"));
    }

    // Settings that differ: no batch, and the first run stops waiting as soon as the other has joined elsewhere.
    void differentKeysDoNotMeet()
    {
        Rendezvous r(options(4, 5000ms));
        auto a = r.expect();
        auto b = r.expect();
        FollowerRun other;
        other.followLeader(r, b, 2, "b");
        const auto start = std::chrono::steady_clock::now();
        auto turn = r.join(1, "a", a, never);
        other.thread.join();
        QCOMPARE(turn.role(), Role::Alone);
        QCOMPARE(other.role.load(), int(Role::Alone));
        QVERIFY(secondsSince(start) < 2.0);
    }

    // A run that is expected but never comes: the leader gives up after the window.
    void theWindowBoundsTheWait()
    {
        Rendezvous r(options(4, 300ms));
        auto a = r.expect();
        auto late = r.expect();
        const auto start = std::chrono::steady_clock::now();
        QCOMPARE(r.join(1, "a", a, never).role(), Role::Alone);
        const double waited = secondsSince(start);
        QVERIFY2(waited >= 0.29 && waited < 2.0, QByteArray::number(waited));
    }

    // With a minimum batch, a leader waits for a run that nobody announced (no ticket when it joined).
    void aMinimumBatchWaitsForUnannouncedRuns()
    {
        Rendezvous r(options(4, 5000ms, 2));
        auto a = r.expect();
        Rendezvous::Expected none;
        FollowerRun late;
        std::thread starter([&] {
            untilWaiting(r);
            std::this_thread::sleep_for(50ms);
            late.start(r, none, 1, "b");
        });
        const auto start = std::chrono::steady_clock::now();
        auto turn = r.join(1, "a", a, never);
        starter.join();
        QCOMPARE(turn.role(), Role::Leader);
        QVERIFY(secondsSince(start) < 2.0);
        turn.finish({ "A", "B" });
        late.thread.join();
        QCOMPARE(late.output, std::string("B"));
        // Nobody comes: the window ends the wait.
        Rendezvous shortWindow(options(4, 200ms, 2));
        auto alone = shortWindow.expect();
        QCOMPARE(shortWindow.join(1, "a", alone, never).role(), Role::Alone);
    }

    // A leader that fails (its turn ends without finish): the follower gets nothing and samples alone.
    void anAbandonedFollowerSamplesAlone()
    {
        Rendezvous r(options(2));
        auto a = r.expect();
        auto b = r.expect();
        FollowerRun follower;
        follower.followLeader(r, b, 1, "b");
        {
            auto turn = r.join(1, "a", a, never);
            QCOMPARE(turn.role(), Role::Leader);
        }
        follower.thread.join();
        QCOMPARE(follower.role.load(), int(Role::Follower));
        QVERIFY(!follower.hadOutput);
    }

    // A follower cancelled while the leader computes leaves at once; the leader's progress and outputs no longer
    // reach it.
    void aCancelledFollowerLeaves()
    {
        Rendezvous r(options(2));
        auto a = r.expect();
        auto b = r.expect();
        std::atomic<bool> cancel { false };
        FollowerRun follower;
        follower.followLeader(r, b, 1, "b", [&] { return cancel.load(); });
        auto turn = r.join(1, "a", a, never);
        QCOMPARE(turn.role(), Role::Leader);
        cancel = true;
        follower.thread.join();
        QCOMPARE(follower.role.load(), int(Role::Cancelled));
        turn.progress(1, 2);
        QCOMPARE(follower.lastStep.load(), 0);
        turn.finish({ "A", "B" });
        QVERIFY(!follower.hadOutput);
    }

    // A cancelled leader that is still waiting: cancelled, and whoever had joined samples alone.
    void aCancelledLeaderReleasesItsGroup()
    {
        Rendezvous r(options(4, 5000ms));
        auto a = r.expect();
        auto b = r.expect();
        auto c = r.expect(); // keeps the leader waiting after b has joined
        std::atomic<bool> cancel { false };
        FollowerRun follower;
        std::thread starter([&] {
            untilWaiting(r);
            follower.start(r, b, 1, "b");
            untilWaiting(r, 2);
            cancel = true;
        });
        const auto start = std::chrono::steady_clock::now();
        auto turn = r.join(1, "a", a, [&] { return cancel.load(); });
        starter.join();
        follower.thread.join();
        QCOMPARE(turn.role(), Role::Cancelled);
        QVERIFY(secondsSince(start) < 2.0);
        QCOMPARE(follower.role.load(), int(Role::Follower));
        QVERIFY(!follower.hadOutput);
    }

    // Groups hold maxBatch runs at most: of three runs with maxBatch 2, two meet and the third samples alone.
    void groupsAreCapped()
    {
        Rendezvous r(options(2, 5000ms));
        auto a = r.expect();
        auto b = r.expect();
        auto c = r.expect();
        FollowerRun second, third;
        second.followLeader(r, b, 1, "b");
        auto turn = r.join(1, "a", a, never);
        QCOMPARE(turn.role(), Role::Leader);
        QCOMPARE(int(turn.inputs().size()), 2);
        // The group is closed: the third run finds no room and, with nobody else expected, samples alone.
        third.start(r, c, 1, "c");
        third.thread.join();
        QCOMPARE(third.role.load(), int(Role::Alone));
        turn.finish({ "A", "B" });
        second.thread.join();
        QCOMPARE(second.output, std::string("B"));
    }
};

QTEST_GUILESS_MAIN(TestBatchRendezvous)
#include "tst_batch_rendezvous.moc"
