#include "settings_dialog.h"

#include "model_manager_dialog.h"

#include "orfeas/errors.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QSpinBox>
#include <QTabWidget>
#include <QVBoxLayout>

namespace orfeas::ui {

namespace {

constexpr orfeas::ExportFormat kFormats[4] = {orfeas::ExportFormat::Glb, orfeas::ExportFormat::Obj,
                                              orfeas::ExportFormat::Stl, orfeas::ExportFormat::Ply};

QSpinBox* spin(int lo, int hi, int step, QWidget* parent)
{
    auto* s = new QSpinBox(parent);
    s->setRange(lo, hi);
    s->setSingleStep(step);
    s->setGroupSeparatorShown(true);
    return s;
}

QDoubleSpinBox* dspin(double lo, double hi, double step, int decimals, QWidget* parent)
{
    auto* s = new QDoubleSpinBox(parent);
    s->setRange(lo, hi);
    s->setSingleStep(step);
    s->setDecimals(decimals);
    return s;
}

void selectData(QComboBox* box, const QVariant& data)
{
    const int i = box->findData(data);
    box->setCurrentIndex(i >= 0 ? i : 0);
}

} // namespace

QList<QPair<QString, QString>> SettingsDialog::languages()
{
    // Each language is named in itself, so a user who cannot read the current one still finds theirs.
    return {{QStringLiteral("en"), QStringLiteral("English")},
            {QStringLiteral("el"), QStringLiteral("Ελληνικά")},
            {QStringLiteral("de"), QStringLiteral("Deutsch")}};
}

SettingsDialog::SettingsDialog(const orfeas::JobSettings& settings, const StudioPreferences& prefs, QWidget* parent)
    : QDialog(parent)
    , m_prefs(prefs)
{
    setWindowTitle(tr("Settings"));
    auto* layout = new QVBoxLayout(this);

    auto* presetRow = new QHBoxLayout;
    presetRow->addWidget(new QLabel(tr("Preset:"), this));
    m_preset = new QComboBox(this);
    m_preset->addItem(tr("Custom"), -1);
    for (Preset p : kAllPresets)
        m_preset->addItem(presetDisplayName(p), int(p));
    m_preset->setToolTip(tr("Fast, Balanced and Quality set steps, resolutions, the face budget and the texture size"));
    presetRow->addWidget(m_preset);
    presetRow->addStretch(1);
    layout->addLayout(presetRow);

    auto* tabs = new QTabWidget(this);
    buildGeneralTab(tabs);
    buildShapeTab(tabs);
    buildImageTab(tabs);
    buildMeshTab(tabs);
    layout->addWidget(tabs, 1);

    m_message = new QLabel(this);
    m_message->setObjectName(QStringLiteral("validationMessage"));
    m_message->setWordWrap(true);
    m_message->setStyleSheet(QStringLiteral("color: #b3261e;"));
    m_message->setTextFormat(Qt::PlainText);
    layout->addWidget(m_message);

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel |
                                         QDialogButtonBox::RestoreDefaults,
                                     this);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_buttons->button(QDialogButtonBox::RestoreDefaults), &QPushButton::clicked, this,
            [this] { load(orfeas::JobSettings{}); });
    layout->addWidget(m_buttons);
    connect(m_preset, &QComboBox::activated, this, &SettingsDialog::onPresetChosen);

    load(settings);
    selectData(m_language, prefs.language);
    m_concurrent->setValue(prefs.concurrentJobs);
    m_follow->setChecked(prefs.followNewJobs);
}

void SettingsDialog::buildGeneralTab(QTabWidget* tabs)
{
    auto* page = new QWidget(tabs);
    auto* form = new QFormLayout(page);
    m_language = new QComboBox(page);
    m_language->addItem(tr("System language"), QString());
    for (const auto& [code, name] : languages())
        m_language->addItem(name, code);
    form->addRow(tr("Language:"), m_language);
    auto* note = new QLabel(tr("A new language applies the next time ORFEAS Studio starts."), page);
    note->setWordWrap(true);
    note->setEnabled(false);
    form->addRow(QString(), note);
    m_concurrent = spin(1, 16, 1, page);
    m_concurrent->setToolTip(tr("Jobs that run at the same time. CPU stages of one job overlap GPU stages of another."));
    form->addRow(tr("Concurrent jobs:"), m_concurrent);
    m_follow = new QCheckBox(tr("Show each job as it starts"), page);
    form->addRow(QString(), m_follow);
    m_device = new QComboBox(page);
    m_device->setEditable(true);
    m_device->addItems({QStringLiteral("auto"), QStringLiteral("cpu"), QStringLiteral("cuda"),
                        QStringLiteral("cuda:0"), QStringLiteral("cuda:1")});
    m_device->setToolTip(tr("auto, cpu, cuda or cuda:N"));
    form->addRow(tr("Device:"), m_device);
    tabs->addTab(page, tr("General"));
    connect(m_device, &QComboBox::currentTextChanged, this, &SettingsDialog::revalidate);
}

void SettingsDialog::buildShapeTab(QTabWidget* tabs)
{
    auto* page = new QWidget(tabs);
    auto* outer = new QVBoxLayout(page);
    auto* top = new QFormLayout;
    m_backend = new QComboBox(page);
    m_backend->addItem(tr("Automatic (neural when a model and a GPU are present)"), int(orfeas::BackendChoice::Auto));
    m_backend->addItem(tr("Classic silhouette inflation (CPU)"), int(orfeas::BackendChoice::Inflate));
    m_backend->addItem(tr("Hunyuan3D-2 (neural)"), int(orfeas::BackendChoice::Hunyuan3D));
    top->addRow(tr("Backend:"), m_backend);
    auto* modelRow = new QHBoxLayout;
    m_modelPath = new QLineEdit(page);
    m_modelPath->setPlaceholderText(tr("found automatically"));
    modelRow->addWidget(m_modelPath, 1);
    auto* browse = new QPushButton(tr("Browse…"), page);
    connect(browse, &QPushButton::clicked, this, &SettingsDialog::chooseModelFolder);
    modelRow->addWidget(browse);
    auto* manager = new QPushButton(tr("Models…"), page);
    connect(manager, &QPushButton::clicked, this, &SettingsDialog::openModelManager);
    modelRow->addWidget(manager);
    top->addRow(tr("Model folder:"), modelRow);
    outer->addLayout(top);

    auto* classic = new QGroupBox(tr("Classic"), page);
    auto* cf = new QFormLayout(classic);
    m_resolution = spin(8, orfeas::Limits::kMaxResolution, 8, classic);
    cf->addRow(tr("Grid resolution:"), m_resolution);
    m_thickness = dspin(0.05, 4.0, 0.05, 2, classic);
    m_thickness->setToolTip(tr("Depth of the inflated body; 1 gives round cross-sections"));
    cf->addRow(tr("Thickness:"), m_thickness);
    outer->addWidget(classic);

    auto* neural = new QGroupBox(tr("Neural"), page);
    auto* nf = new QFormLayout(neural);
    m_steps = spin(1, orfeas::Limits::kMaxSteps, 1, neural);
    nf->addRow(tr("Diffusion steps:"), m_steps);
    m_guidance = dspin(0.0, 100.0, 0.5, 1, neural);
    nf->addRow(tr("Guidance scale:"), m_guidance);
    m_seed = new QLineEdit(neural);
    m_seed->setValidator(new QRegularExpressionValidator(QRegularExpression(QStringLiteral("[0-9]{1,19}")), m_seed));
    nf->addRow(tr("Seed:"), m_seed);
    m_octree = spin(16, orfeas::Limits::kMaxResolution, 16, neural);
    nf->addRow(tr("Octree resolution:"), m_octree);
    m_chunk = spin(0, 64 * 1024 * 1024, 1024, neural);
    m_chunk->setSpecialValueText(tr("automatic"));
    m_chunk->setToolTip(tr("Points per decoding chunk; automatic sizes it from free GPU memory"));
    nf->addRow(tr("Chunk size:"), m_chunk);
    m_decoder = new QComboBox(neural);
    m_decoder->addItem(tr("Hierarchical (fast)"), int(orfeas::DecoderMode::Hierarchical));
    m_decoder->addItem(tr("Dense"), int(orfeas::DecoderMode::Dense));
    nf->addRow(tr("Decoding:"), m_decoder);
    m_precision = new QComboBox(neural);
    m_precision->addItem(QStringLiteral("fp16"), int(orfeas::Precision::Fp16));
    m_precision->addItem(QStringLiteral("bf16"), int(orfeas::Precision::Bf16));
    m_precision->addItem(QStringLiteral("fp32"), int(orfeas::Precision::Fp32));
    nf->addRow(tr("Precision:"), m_precision);
    m_lowVram = new QCheckBox(tr("Save GPU memory (slower)"), neural);
    nf->addRow(QString(), m_lowVram);
    outer->addWidget(neural);
    outer->addStretch(1);
    tabs->addTab(page, tr("Shape"));

    for (QSpinBox* s : {m_resolution, m_steps, m_octree, m_chunk})
        connect(s, &QSpinBox::valueChanged, this, &SettingsDialog::revalidate);
    for (QDoubleSpinBox* s : {m_thickness, m_guidance})
        connect(s, &QDoubleSpinBox::valueChanged, this, &SettingsDialog::revalidate);
    for (QComboBox* c : {m_backend, m_decoder, m_precision})
        connect(c, &QComboBox::currentIndexChanged, this, &SettingsDialog::revalidate);
    connect(m_seed, &QLineEdit::textChanged, this, &SettingsDialog::revalidate);
    connect(m_modelPath, &QLineEdit::textChanged, this, &SettingsDialog::revalidate);
}

void SettingsDialog::buildImageTab(QTabWidget* tabs)
{
    auto* page = new QWidget(tabs);
    auto* form = new QFormLayout(page);
    m_imageSize = spin(32, 4096, 32, page);
    form->addRow(tr("Preprocessed size:"), m_imageSize);
    m_border = dspin(0.0, 0.9, 0.01, 2, page);
    m_border->setToolTip(tr("Empty border around the subject, as a share of the image"));
    form->addRow(tr("Border ratio:"), m_border);
    m_tolerance = dspin(0.0, 1.0, 0.01, 2, page);
    m_tolerance->setToolTip(tr("Colour distance that still counts as background when an image has no transparency"));
    form->addRow(tr("Background tolerance:"), m_tolerance);
    tabs->addTab(page, tr("Image"));
    connect(m_imageSize, &QSpinBox::valueChanged, this, &SettingsDialog::revalidate);
    for (QDoubleSpinBox* s : {m_border, m_tolerance})
        connect(s, &QDoubleSpinBox::valueChanged, this, &SettingsDialog::revalidate);
}

void SettingsDialog::buildMeshTab(QTabWidget* tabs)
{
    auto* page = new QWidget(tabs);
    auto* form = new QFormLayout(page);
    m_faceBudget = spin(0, int(orfeas::Limits::kMaxFaces), 1000, page);
    m_faceBudget->setSpecialValueText(tr("no reduction"));
    form->addRow(tr("Face budget:"), m_faceBudget);
    m_minComponent = dspin(0.0, 1.0, 0.01, 3, page);
    m_minComponent->setToolTip(tr("Loose parts smaller than this share of the largest part are removed"));
    form->addRow(tr("Smallest part kept:"), m_minComponent);
    m_textureSize = spin(16, orfeas::Limits::kMaxTextureSize, 256, page);
    form->addRow(tr("Texture size:"), m_textureSize);
    auto* formats = new QHBoxLayout;
    const QString labels[4] = {tr("GLB"), tr("OBJ + MTL + PNG"), tr("STL"), tr("PLY")};
    for (int i = 0; i < 4; ++i) {
        m_formats[i] = new QCheckBox(labels[i], page);
        formats->addWidget(m_formats[i]);
        connect(m_formats[i], &QCheckBox::toggled, this, &SettingsDialog::revalidate);
    }
    formats->addStretch(1);
    form->addRow(tr("Export formats:"), formats);
    tabs->addTab(page, tr("Mesh and export"));
    for (QSpinBox* s : {m_faceBudget, m_textureSize})
        connect(s, &QSpinBox::valueChanged, this, &SettingsDialog::revalidate);
    connect(m_minComponent, &QDoubleSpinBox::valueChanged, this, &SettingsDialog::revalidate);
}

void SettingsDialog::load(const orfeas::JobSettings& s)
{
    m_loading = true;
    selectData(m_backend, int(s.backend));
    m_modelPath->setText(QString::fromStdString(s.modelPath));
    m_device->setCurrentText(QString::fromStdString(s.device));
    m_resolution->setValue(s.resolution);
    m_thickness->setValue(s.thickness);
    m_steps->setValue(s.steps);
    m_guidance->setValue(s.guidance);
    m_seed->setText(QString::number(s.seed));
    m_octree->setValue(s.octreeResolution);
    m_chunk->setValue(s.chunkSize);
    selectData(m_decoder, int(s.decoder));
    selectData(m_precision, int(s.precision));
    m_lowVram->setChecked(s.lowVram);
    m_imageSize->setValue(s.imageSize);
    m_border->setValue(s.borderRatio);
    m_tolerance->setValue(s.backgroundTolerance);
    m_faceBudget->setValue(s.faceBudget);
    m_minComponent->setValue(s.minComponentRatio);
    m_textureSize->setValue(s.textureSize);
    for (int i = 0; i < 4; ++i)
        m_formats[i]->setChecked(std::find(s.formats.begin(), s.formats.end(), kFormats[i]) != s.formats.end());
    m_loading = false;
    revalidate();
}

orfeas::JobSettings SettingsDialog::jobSettings() const
{
    orfeas::JobSettings s;
    s.backend = orfeas::BackendChoice(m_backend->currentData().toInt());
    s.modelPath = m_modelPath->text().trimmed().toStdString();
    s.device = m_device->currentText().trimmed().toStdString();
    s.resolution = m_resolution->value();
    s.thickness = float(m_thickness->value());
    s.steps = m_steps->value();
    s.guidance = float(m_guidance->value());
    s.seed = m_seed->text().toULongLong();
    s.octreeResolution = m_octree->value();
    s.chunkSize = m_chunk->value();
    s.decoder = orfeas::DecoderMode(m_decoder->currentData().toInt());
    s.precision = orfeas::Precision(m_precision->currentData().toInt());
    s.lowVram = m_lowVram->isChecked();
    s.imageSize = m_imageSize->value();
    s.borderRatio = float(m_border->value());
    s.backgroundTolerance = float(m_tolerance->value());
    s.faceBudget = m_faceBudget->value();
    s.minComponentRatio = float(m_minComponent->value());
    s.textureSize = m_textureSize->value();
    s.formats.clear();
    for (int i = 0; i < 4; ++i)
        if (m_formats[i]->isChecked())
            s.formats.push_back(kFormats[i]);
    return s;
}

StudioPreferences SettingsDialog::preferences() const
{
    StudioPreferences p = m_prefs;
    p.language = m_language->currentData().toString();
    p.concurrentJobs = m_concurrent->value();
    p.followNewJobs = m_follow->isChecked();
    return p;
}

void SettingsDialog::revalidate()
{
    if (m_loading)
        return;
    try {
        jobSettings().validate();
        m_problem.clear();
    } catch (const orfeas::Error& e) {
        m_problem = QString::fromStdString(e.message());
    }
    m_message->setText(m_problem.isEmpty() ? QString() : tr("Cannot use these settings: %1").arg(m_problem));
    m_message->setVisible(!m_problem.isEmpty());
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(m_problem.isEmpty());
    syncPresetCombo();
}

void SettingsDialog::syncPresetCombo()
{
    const auto preset = matchingPreset(jobSettings());
    m_preset->setCurrentIndex(preset ? m_preset->findData(int(*preset)) : 0);
}

void SettingsDialog::onPresetChosen(int index)
{
    const int value = m_preset->itemData(index).toInt();
    if (value < 0)
        return;
    orfeas::JobSettings s = jobSettings();
    applyPreset(s, Preset(value));
    load(s);
}

void SettingsDialog::chooseModelFolder()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Choose a model folder"), m_modelPath->text());
    if (!dir.isEmpty())
        m_modelPath->setText(dir);
}

void SettingsDialog::openModelManager()
{
    ModelManagerDialog dialog(m_prefs.modelRoots, m_modelPath->text(), this);
    if (dialog.exec() == QDialog::Accepted && !dialog.chosenFolder().isEmpty()) {
        m_modelPath->setText(dialog.chosenFolder());
        if (m_backend->currentData().toInt() == int(orfeas::BackendChoice::Inflate))
            selectData(m_backend, int(orfeas::BackendChoice::Auto));
    }
    m_prefs.modelRoots = dialog.modelRoots();
}

} // namespace orfeas::ui
