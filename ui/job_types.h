#pragma once
// What the UI knows about a job: its live stage table while it runs and its outcome when it has finished.
// Plain values with Qt types; the JobModel owns them and hands out const references on the GUI thread.

#include "view_mesh.h"

#include "orfeas/job_queue.h"
#include "orfeas/report.h"
#include "orfeas/stage.h"

#include <QImage>
#include <QString>
#include <QStringList>

#include <array>
#include <memory>
#include <optional>

namespace orfeas {
class Mesh;
}

namespace orfeas::ui {

using JobId = quint64;
inline constexpr int kStageCount = int(orfeas::kAllStages.size());

// One row of the stage table. Times are milliseconds on the JobModel's steady clock.
struct StageState {
    bool started = false;
    bool finished = false;
    double fraction = 0;      // 0..1
    qint64 startMs = -1;
    qint64 endMs = -1;
    QString subStage;         // engine sub-stage name, e.g. "diffusion_sampling"
    QString message;          // engine message, e.g. "diffusion step 23/50"
    int step = 0;
    int totalSteps = 0;

    // Seconds spent so far (or in total once finished), given the current time.
    double elapsedSeconds(qint64 nowMs) const
    {
        if (!started)
            return 0;
        return double((finished ? endMs : nowMs) - startMs) / 1000.0;
    }
};

// Built on the worker thread when a job finishes (conversion work stays off the GUI thread).
struct JobOutcome {
    orfeas::RunReport report;
    std::shared_ptr<const orfeas::Mesh> mesh;       // empty unless done
    std::shared_ptr<const ViewMesh> viewMesh;       // display buffers of `mesh`
    QImage input;                                   // the decoded input (kept intermediates)
    QImage preprocessed;                            // the square image the shape backend saw
    QImage mask;                                    // the subject mask
    bool alphaFromFile = false;
    QImage thumbnail;                               // small version of `input`
    QStringList outputs;
};

struct JobRecord {
    JobId id = 0;
    QString name;                      // shown in the list: file name or "Pasted image"
    orfeas::JobRequest request;        // kept for retry
    orfeas::JobState state = orfeas::JobState::Queued;
    int currentStage = -1;             // index into kAllStages, -1 before the first stage
    std::array<StageState, kStageCount> stages;
    qint64 queuedMs = -1, startMs = -1, endMs = -1;
    QImage thumbnail;
    QString error;                     // the engine's message when failed
    QString errorKind;                 // errorKindName()
    std::shared_ptr<const JobOutcome> outcome;
    bool removeWhenFinished = false;

    bool isActive() const { return state == orfeas::JobState::Queued || state == orfeas::JobState::Running; }
    double elapsedSeconds(qint64 nowMs) const
    {
        if (startMs < 0)
            return 0;
        return double((endMs >= 0 ? endMs : nowMs) - startMs) / 1000.0;
    }
};

} // namespace orfeas::ui
