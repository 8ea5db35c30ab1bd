#include "stage_text.h"

#include <QCoreApplication>
#include <QLocale>

#include <cmath>

namespace orfeas::ui {

QString stageDisplayName(int stage)
{
    if (stage < 0 || stage >= kStageCount)
        return {};
    switch (orfeas::kAllStages[std::size_t(stage)]) {
    case orfeas::Stage::ImageLoading: return QCoreApplication::translate("Stages", "Image loading");
    case orfeas::Stage::ImagePreprocessing: return QCoreApplication::translate("Stages", "Preprocessing");
    case orfeas::Stage::ShapeGeneration: return QCoreApplication::translate("Stages", "Shape generation");
    case orfeas::Stage::SurfaceExtraction: return QCoreApplication::translate("Stages", "Surface extraction");
    case orfeas::Stage::MeshPostprocess: return QCoreApplication::translate("Stages", "Mesh clean-up");
    case orfeas::Stage::TextureSynthesis: return QCoreApplication::translate("Stages", "Texturing");
    case orfeas::Stage::MeshExport: return QCoreApplication::translate("Stages", "Export");
    }
    return {};
}

QString jobStateDisplayName(orfeas::JobState state)
{
    switch (state) {
    case orfeas::JobState::Queued: return QCoreApplication::translate("Stages", "Queued");
    case orfeas::JobState::Running: return QCoreApplication::translate("Stages", "Running");
    case orfeas::JobState::Done: return QCoreApplication::translate("Stages", "Done");
    case orfeas::JobState::Failed: return QCoreApplication::translate("Stages", "Failed");
    case orfeas::JobState::Cancelled: return QCoreApplication::translate("Stages", "Cancelled");
    }
    return {};
}

QString subStepText(const StageState& stage)
{
    const QString& sub = stage.subStage;
    const int step = stage.step, total = stage.totalSteps;
    if (sub == QLatin1String("diffusion_sampling") && total > 0)
        return QCoreApplication::translate("Stages", "Diffusion step %1/%2").arg(step).arg(total);
    if (sub == QLatin1String("volume_decoding") && total > 0)
        return QCoreApplication::translate("Stages", "Decoding chunk %1/%2").arg(step).arg(total);
    if (sub == QLatin1String("model_loading")) {
        if (total > 0)
            return QCoreApplication::translate("Stages", "Loading model weights %1/%2").arg(step).arg(total);
        return QCoreApplication::translate("Stages", "Loading model weights");
    }
    if (sub == QLatin1String("conditioning"))
        return QCoreApplication::translate("Stages", "Encoding the image");
    if (sub == QLatin1String("vae_decoding"))
        return QCoreApplication::translate("Stages", "Decoding the latents");
    return stage.message;
}

QString formatSeconds(double seconds)
{
    if (seconds < 0)
        return {};
    if (seconds < 10)
        return QCoreApplication::translate("Stages", "%1 s").arg(QLocale().toString(seconds, 'f', 1));
    if (seconds < 60)
        return QCoreApplication::translate("Stages", "%1 s").arg(qRound(seconds));
    const int total = qRound(seconds);
    return QStringLiteral("%1:%2").arg(total / 60).arg(total % 60, 2, 10, QLatin1Char('0'));
}

QString formatEta(double seconds)
{
    if (seconds < 0)
        return {};
    if (seconds < 1)
        return QCoreApplication::translate("Stages", "less than a second left");
    // (The counts go through variables: lupdate 6.4 hangs on a call expression inside translate()'s arguments.)
    const int wholeSeconds = int(std::ceil(seconds));
    const int minutes = int(std::round(seconds / 60));
    if (seconds < 90)
        return QCoreApplication::translate("Stages", "about %n s left", nullptr, wholeSeconds);
    return QCoreApplication::translate("Stages", "about %n min left", nullptr, minutes);
}

QString formatBytes(double bytes)
{
    if (bytes >= 1e9)
        return QCoreApplication::translate("Stages", "%1 GB").arg(QLocale().toString(bytes / 1e9, 'f', 2));
    if (bytes >= 1e6)
        return QCoreApplication::translate("Stages", "%1 MB").arg(QLocale().toString(bytes / 1e6, 'f', 1));
    return QCoreApplication::translate("Stages", "%1 kB").arg(QLocale().toString(bytes / 1e3, 'f', 1));
}

} // namespace orfeas::ui
