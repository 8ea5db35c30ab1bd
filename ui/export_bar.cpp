#include "export_bar.h"

#include "icons.h"

#include <QCheckBox>
#include <QFileDialog>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QToolButton>

#include <algorithm>

namespace orfeas::ui {

namespace {
constexpr orfeas::ExportFormat kFormats[4] = {orfeas::ExportFormat::Glb, orfeas::ExportFormat::Obj,
                                              orfeas::ExportFormat::Stl, orfeas::ExportFormat::Ply};
}

ExportBar::ExportBar(QWidget* parent)
    : QWidget(parent)
{
    auto* grid = new QGridLayout(this);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->addWidget(new QLabel(tr("Save to:"), this), 0, 0);
    auto* dirRow = new QHBoxLayout;
    m_dir = new QLineEdit(this);
    m_dir->setObjectName(QStringLiteral("outputDir"));
    dirRow->addWidget(m_dir, 1);
    auto* browse = new QToolButton(this);
    browse->setText(tr("…"));
    browse->setToolTip(tr("Choose the output folder"));
    connect(browse, &QToolButton::clicked, this, &ExportBar::chooseFolder);
    dirRow->addWidget(browse);
    auto* open = new QToolButton(this);
    open->setIcon(icon(QStringLiteral("folder")));
    open->setToolTip(tr("Open the output folder"));
    connect(open, &QToolButton::clicked, this, &ExportBar::openFolderRequested);
    dirRow->addWidget(open);
    grid->addLayout(dirRow, 0, 1);

    grid->addWidget(new QLabel(tr("Formats:"), this), 1, 0);
    auto* formatRow = new QHBoxLayout;
    const QString names[4] = {QStringLiteral("GLB"), QStringLiteral("OBJ"), QStringLiteral("STL"),
                              QStringLiteral("PLY")};
    const QString tips[4] = {tr("glTF binary with the texture inside"), tr("OBJ with MTL and a PNG texture"),
                             tr("STL: geometry only, for printing"), tr("PLY with vertex colours")};
    for (int i = 0; i < 4; ++i) {
        m_formats[i] = new QCheckBox(names[i], this);
        m_formats[i]->setToolTip(tips[i]);
        formatRow->addWidget(m_formats[i]);
        connect(m_formats[i], &QCheckBox::toggled, this, [this, i](bool on) {
            // At least one format: the engine refuses an export without any.
            if (!on && formats().empty()) {
                m_formats[i]->setChecked(true);
                return;
            }
            Q_EMIT changed();
        });
    }
    formatRow->addStretch(1);
    grid->addLayout(formatRow, 1, 1);
    connect(m_dir, &QLineEdit::editingFinished, this, &ExportBar::changed);
}

void ExportBar::setOutputDir(const QString& dir)
{
    m_dir->setText(dir);
    m_dir->setCursorPosition(0); // a long path shows its beginning
}

QString ExportBar::outputDir() const
{
    return m_dir->text().trimmed();
}

void ExportBar::setFormats(const std::vector<orfeas::ExportFormat>& formats)
{
    for (int i = 0; i < 4; ++i) {
        const QSignalBlocker block(m_formats[i]);
        m_formats[i]->setChecked(std::find(formats.begin(), formats.end(), kFormats[i]) != formats.end());
    }
}

std::vector<orfeas::ExportFormat> ExportBar::formats() const
{
    std::vector<orfeas::ExportFormat> out;
    for (int i = 0; i < 4; ++i)
        if (m_formats[i]->isChecked())
            out.push_back(kFormats[i]);
    return out;
}

void ExportBar::chooseFolder()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Choose the output folder"), outputDir());
    if (!dir.isEmpty()) {
        m_dir->setText(dir);
        Q_EMIT changed();
    }
}

} // namespace orfeas::ui
