#include "settings_store.h"

#include "orfeas/errors.h"

#include <QCoreApplication>
#include <algorithm>
#include <QDir>
#include <QStandardPaths>

namespace orfeas::ui {

namespace {

struct PresetValues {
    int resolution, steps, octree, faceBudget, textureSize;
};

PresetValues valuesOf(Preset p)
{
    switch (p) {
    case Preset::Fast: return {96, 25, 256, 20000, 1024};
    case Preset::Balanced: return {128, 50, 384, 40000, 1024};
    case Preset::Quality: return {192, 50, 512, 150000, 2048};
    }
    return {128, 50, 384, 40000, 1024};
}

QString key(const char* name)
{
    return QStringLiteral("engine/") + QLatin1String(name);
}

std::string str(const QVariant& v)
{
    return v.toString().toStdString();
}

QString formatsToString(const std::vector<orfeas::ExportFormat>& formats)
{
    QStringList parts;
    for (auto f : formats)
        parts << QString::fromUtf8(orfeas::formatExtension(f));
    return parts.join(QLatin1Char(','));
}

} // namespace

void applyPreset(orfeas::JobSettings& s, Preset p)
{
    const PresetValues v = valuesOf(p);
    s.resolution = v.resolution;
    s.steps = v.steps;
    s.octreeResolution = v.octree;
    s.faceBudget = v.faceBudget;
    s.textureSize = v.textureSize;
}

std::optional<Preset> matchingPreset(const orfeas::JobSettings& s)
{
    for (Preset p : kAllPresets) {
        const PresetValues v = valuesOf(p);
        if (s.resolution == v.resolution && s.steps == v.steps && s.octreeResolution == v.octree &&
            s.faceBudget == v.faceBudget && s.textureSize == v.textureSize)
            return p;
    }
    return std::nullopt;
}

QString presetDisplayName(Preset p)
{
    switch (p) {
    case Preset::Fast: return QCoreApplication::translate("Settings", "Fast");
    case Preset::Balanced: return QCoreApplication::translate("Settings", "Balanced");
    case Preset::Quality: return QCoreApplication::translate("Settings", "Quality");
    }
    return {};
}

QString defaultOutputDir()
{
    QString docs = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    if (docs.isEmpty())
        docs = QDir::homePath();
    return QDir(docs).filePath(QStringLiteral("ORFEAS Models"));
}

QString defaultLogFile()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation))
        .filePath(QStringLiteral("logs/studio.log"));
}

SettingsStore::SettingsStore(QSettings* settings)
{
    if (!settings) {
        m_owned = std::make_unique<QSettings>();
        settings = m_owned.get();
    }
    m_settings = settings;
}

orfeas::JobSettings SettingsStore::loadJobSettings()
{
    m_loadProblem.clear();
    const orfeas::JobSettings defaults;
    orfeas::JobSettings s;
    const QSettings& q = *m_settings;
    try {
        s.backend = orfeas::parseBackend(str(q.value(key("backend"), QString::fromUtf8(orfeas::backendName(s.backend)))));
        s.modelPath = str(q.value(key("modelPath"), QString()));
        s.device = str(q.value(key("device"), QString::fromStdString(s.device)));
        s.resolution = q.value(key("resolution"), s.resolution).toInt();
        s.thickness = q.value(key("thickness"), s.thickness).toFloat();
        s.steps = q.value(key("steps"), s.steps).toInt();
        s.guidance = q.value(key("guidance"), s.guidance).toFloat();
        s.seed = q.value(key("seed"), QString::number(s.seed)).toString().toULongLong();
        s.octreeResolution = q.value(key("octreeResolution"), s.octreeResolution).toInt();
        s.chunkSize = q.value(key("chunkSize"), s.chunkSize).toInt();
        s.decoder = orfeas::parseDecoderMode(
            str(q.value(key("decoder"), QString::fromUtf8(orfeas::decoderModeName(s.decoder)))));
        s.precision = orfeas::parsePrecision(
            str(q.value(key("precision"), QString::fromUtf8(orfeas::precisionName(s.precision)))));
        s.lowVram = q.value(key("lowVram"), s.lowVram).toBool();
        s.borderRatio = q.value(key("borderRatio"), s.borderRatio).toFloat();
        s.imageSize = q.value(key("imageSize"), s.imageSize).toInt();
        s.backgroundTolerance = q.value(key("backgroundTolerance"), s.backgroundTolerance).toFloat();
        s.faceBudget = q.value(key("faceBudget"), s.faceBudget).toInt();
        s.minComponentRatio = q.value(key("minComponentRatio"), s.minComponentRatio).toFloat();
        s.textureSize = q.value(key("textureSize"), s.textureSize).toInt();
        s.formats = orfeas::parseFormatList(str(q.value(key("formats"), formatsToString(s.formats))));
        s.validate();
    } catch (const orfeas::Error& e) {
        m_loadProblem = QString::fromStdString(e.message());
        return defaults;
    }
    return s;
}

void SettingsStore::saveJobSettings(const orfeas::JobSettings& s)
{
    QSettings& q = *m_settings;
    q.setValue(key("backend"), QString::fromUtf8(orfeas::backendName(s.backend)));
    q.setValue(key("modelPath"), QString::fromStdString(s.modelPath));
    q.setValue(key("device"), QString::fromStdString(s.device));
    q.setValue(key("resolution"), s.resolution);
    q.setValue(key("thickness"), s.thickness);
    q.setValue(key("steps"), s.steps);
    q.setValue(key("guidance"), s.guidance);
    q.setValue(key("seed"), QString::number(s.seed)); // as text: 64-bit values survive every backend
    q.setValue(key("octreeResolution"), s.octreeResolution);
    q.setValue(key("chunkSize"), s.chunkSize);
    q.setValue(key("decoder"), QString::fromUtf8(orfeas::decoderModeName(s.decoder)));
    q.setValue(key("precision"), QString::fromUtf8(orfeas::precisionName(s.precision)));
    q.setValue(key("lowVram"), s.lowVram);
    q.setValue(key("borderRatio"), s.borderRatio);
    q.setValue(key("imageSize"), s.imageSize);
    q.setValue(key("backgroundTolerance"), s.backgroundTolerance);
    q.setValue(key("faceBudget"), s.faceBudget);
    q.setValue(key("minComponentRatio"), s.minComponentRatio);
    q.setValue(key("textureSize"), s.textureSize);
    q.setValue(key("formats"), formatsToString(s.formats));
}

StudioPreferences SettingsStore::loadPreferences() const
{
    const QSettings& q = *m_settings;
    StudioPreferences p;
    p.language = q.value(QStringLiteral("studio/language")).toString();
    p.outputDir = q.value(QStringLiteral("studio/outputDir")).toString();
    p.concurrentJobs = std::clamp(q.value(QStringLiteral("studio/concurrentJobs"), 1).toInt(), 1, 16);
    p.followNewJobs = q.value(QStringLiteral("studio/followNewJobs"), true).toBool();
    p.modelRoots = q.value(QStringLiteral("studio/modelRoots")).toStringList();
    return p;
}

void SettingsStore::savePreferences(const StudioPreferences& p)
{
    QSettings& q = *m_settings;
    q.setValue(QStringLiteral("studio/language"), p.language);
    q.setValue(QStringLiteral("studio/outputDir"), p.outputDir);
    q.setValue(QStringLiteral("studio/concurrentJobs"), p.concurrentJobs);
    q.setValue(QStringLiteral("studio/followNewJobs"), p.followNewJobs);
    q.setValue(QStringLiteral("studio/modelRoots"), p.modelRoots);
}

QStringList SettingsStore::recentFiles() const
{
    return m_settings->value(QStringLiteral("studio/recentFiles")).toStringList();
}

void SettingsStore::addRecentFile(const QString& path)
{
    QStringList list = recentFiles();
    list.removeAll(path);
    list.prepend(path);
    while (list.size() > kMaxRecent)
        list.removeLast();
    m_settings->setValue(QStringLiteral("studio/recentFiles"), list);
}

void SettingsStore::clearRecentFiles()
{
    m_settings->remove(QStringLiteral("studio/recentFiles"));
}

QByteArray SettingsStore::windowGeometry() const
{
    return m_settings->value(QStringLiteral("window/geometry")).toByteArray();
}

QByteArray SettingsStore::windowState() const
{
    return m_settings->value(QStringLiteral("window/state")).toByteArray();
}

void SettingsStore::saveWindow(const QByteArray& geometry, const QByteArray& state)
{
    m_settings->setValue(QStringLiteral("window/geometry"), geometry);
    m_settings->setValue(QStringLiteral("window/state"), state);
}

void SettingsStore::sync()
{
    m_settings->sync();
}

} // namespace orfeas::ui
