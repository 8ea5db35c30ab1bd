#pragma once
// Translated names for pipeline stages, job states and the engine's sub-steps.

#include "job_types.h"

#include <QString>

namespace orfeas::ui {

// "Image loading", "Shape generation", … (index into orfeas::kAllStages).
QString stageDisplayName(int stage);
// "Queued", "Running", "Done", "Failed", "Cancelled".
QString jobStateDisplayName(orfeas::JobState state);
// The sub-step line of a stage row: known engine sub-stages are translated ("Diffusion step 23/50"), anything
// else shows the engine's own message.
QString subStepText(const StageState& stage);
// "0.4 s", "12 s", "3:05" — short durations for tables.
QString formatSeconds(double seconds);
// "about 2 min left" style estimate; empty for unknown (negative) values.
QString formatEta(double seconds);
// "12.3 MB", "1.20 GB".
QString formatBytes(double bytes);

} // namespace orfeas::ui
