#pragma once
// Every engine setting (classic and neural), the studio's preferences, presets (Fast / Balanced / Quality) and
// inline validation with the engine's own JobSettings::validate() messages: OK is disabled while they apply.

#include "settings_store.h"

#include "orfeas/settings.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QSpinBox;
class QTabWidget;

namespace orfeas::ui {

class SettingsDialog : public QDialog {
    Q_OBJECT
public:
    SettingsDialog(const orfeas::JobSettings& settings, const StudioPreferences& prefs, QWidget* parent = nullptr);

    orfeas::JobSettings jobSettings() const;
    StudioPreferences preferences() const;
    // The engine's message for the current values; empty when they are valid.
    QString validationMessage() const { return m_problem; }

    // The language codes offered, with their names in their own language ("Ελληνικά").
    static QList<QPair<QString, QString>> languages();

private:
    void buildGeneralTab(QTabWidget* tabs);
    void buildShapeTab(QTabWidget* tabs);
    void buildImageTab(QTabWidget* tabs);
    void buildMeshTab(QTabWidget* tabs);
    void load(const orfeas::JobSettings& s);
    void revalidate();
    void onPresetChosen(int index);
    void syncPresetCombo();
    void openModelManager();
    void chooseModelFolder();

    StudioPreferences m_prefs;
    QString m_problem;
    bool m_loading = false;

    QComboBox* m_preset = nullptr;
    // general
    QComboBox* m_language = nullptr;
    QSpinBox* m_concurrent = nullptr;
    QCheckBox* m_follow = nullptr;
    QComboBox* m_device = nullptr;
    // shape
    QComboBox* m_backend = nullptr;
    QLineEdit* m_modelPath = nullptr;
    QSpinBox* m_resolution = nullptr;
    QDoubleSpinBox* m_thickness = nullptr;
    QSpinBox* m_steps = nullptr;
    QDoubleSpinBox* m_guidance = nullptr;
    QLineEdit* m_seed = nullptr;
    QSpinBox* m_octree = nullptr;
    QSpinBox* m_chunk = nullptr;
    QComboBox* m_decoder = nullptr;
    QComboBox* m_precision = nullptr;
    QCheckBox* m_lowVram = nullptr;
    // image
    QSpinBox* m_imageSize = nullptr;
    QDoubleSpinBox* m_border = nullptr;
    QDoubleSpinBox* m_tolerance = nullptr;
    // mesh and export
    QSpinBox* m_faceBudget = nullptr;
    QDoubleSpinBox* m_minComponent = nullptr;
    QSpinBox* m_textureSize = nullptr;
    QCheckBox* m_formats[4] = {};

    QLabel* m_message = nullptr;
    QDialogButtonBox* m_buttons = nullptr;
};

} // namespace orfeas::ui
