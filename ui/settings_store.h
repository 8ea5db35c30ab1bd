#pragma once
// Persistence of everything a user sets: the engine's JobSettings, the studio's own preferences, recent files and
// the window layout, through QSettings (by default the platform's place for the organisation and application
// names, e.g. ~/.config/ORFEAS/ORFEAS Studio.conf). GUI-thread only.

#include "orfeas/settings.h"

#include <QByteArray>
#include <QSettings>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

namespace orfeas::ui {

struct StudioPreferences {
    QString language;          // "en", "el", "de"; empty: the system's language
    QString outputDir;         // where jobs export; empty: defaultOutputDir()
    int concurrentJobs = 1;
    bool followNewJobs = true; // select a job when it starts running
    QStringList modelRoots;    // extra folders searched for models
};

enum class Preset { Fast, Balanced, Quality };
inline constexpr Preset kAllPresets[] = {Preset::Fast, Preset::Balanced, Preset::Quality};

// Sets the fields a preset decides (steps, resolutions, budgets, texture size); leaves the rest alone.
void applyPreset(orfeas::JobSettings& settings, Preset preset);
// The preset whose fields all match, if any.
std::optional<Preset> matchingPreset(const orfeas::JobSettings& settings);
QString presetDisplayName(Preset preset);

// Documents/ORFEAS Models (QStandardPaths::DocumentsLocation), created on demand by the job controller.
QString defaultOutputDir();
// AppLocalDataLocation/logs/studio.log.
QString defaultLogFile();

class SettingsStore {
public:
    // Uses `settings` (not owned) or, when null, a QSettings for the application's organisation and name.
    explicit SettingsStore(QSettings* settings = nullptr);

    // Stored values that do not parse or validate fall back to the defaults; the reason is kept in loadProblem().
    orfeas::JobSettings loadJobSettings();
    void saveJobSettings(const orfeas::JobSettings& settings);
    QString loadProblem() const { return m_loadProblem; }

    StudioPreferences loadPreferences() const;
    void savePreferences(const StudioPreferences& prefs);

    QStringList recentFiles() const;
    void addRecentFile(const QString& path); // most recent first, at most kMaxRecent
    void clearRecentFiles();
    static constexpr int kMaxRecent = 10;

    QByteArray windowGeometry() const;
    QByteArray windowState() const;
    void saveWindow(const QByteArray& geometry, const QByteArray& state);

    void sync();
    QSettings& settings() { return *m_settings; }

private:
    std::unique_ptr<QSettings> m_owned;
    QSettings* m_settings;
    QString m_loadProblem;
};

} // namespace orfeas::ui
