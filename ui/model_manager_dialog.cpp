#include "model_manager_dialog.h"

#include "gui_thread.h"
#include "stage_text.h"

#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>

namespace orfeas::ui {

namespace {

enum Column { ColVariant, ColRepo, ColDtype, ColSize, ColParams, ColStatus, ColPath, ColCount };

std::vector<orfeas::ModelFolderInfo> scan(const QStringList& roots)
{
    std::vector<std::string> extra;
    for (const QString& r : roots)
        extra.push_back(QDir::cleanPath(r).toStdString());
    std::vector<orfeas::ModelFolderInfo> found = orfeas::discoverModelFolders(extra);
    // A root that is itself a model folder is not found by searching below it.
    for (const auto& r : extra) {
        const bool listed = std::any_of(found.begin(), found.end(), [&](const auto& f) { return f.path == r; });
        if (!listed && QFileInfo::exists(QString::fromStdString(r) + QStringLiteral("/config.yaml")))
            found.push_back(orfeas::inspectModelFolder(r));
    }
    return found;
}

} // namespace

ModelManagerDialog::ModelManagerDialog(const QStringList& modelRoots, const QString& currentFolder, QWidget* parent)
    : QDialog(parent)
    , m_roots(modelRoots)
    , m_current(currentFolder)
{
    setWindowTitle(tr("Models"));
    resize(860, 380);
    auto* layout = new QVBoxLayout(this);
    auto* intro = new QLabel(tr("Hunyuan3D-2 model folders found on this computer. Without a usable model (or "
                                "without an NVIDIA GPU) the classic backend is used."),
                             this);
    intro->setWordWrap(true);
    layout->addWidget(intro);
    m_table = new QTableWidget(0, ColCount, this);
    m_table->setHorizontalHeaderLabels(
        {tr("Variant"), tr("Repository"), tr("Weights"), tr("Size"), tr("Parameters"), tr("Status"), tr("Folder")});
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->verticalHeader()->hide();
    layout->addWidget(m_table, 1);
    m_status = new QLabel(this);
    m_status->setWordWrap(true);
    layout->addWidget(m_status);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    m_use = buttons->addButton(tr("Use This Model"), QDialogButtonBox::AcceptRole);
    auto* add = buttons->addButton(tr("Add Folder…"), QDialogButtonBox::ActionRole);
    auto* refresh = buttons->addButton(tr("Rescan"), QDialogButtonBox::ActionRole);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_use, &QPushButton::clicked, this, [this] {
        const int row = m_table->currentRow();
        if (row >= 0 && row < int(m_folders.size()) && m_folders[std::size_t(row)].usable) {
            m_chosen = QString::fromStdString(m_folders[std::size_t(row)].path);
            accept();
        }
    });
    connect(add, &QPushButton::clicked, this, &ModelManagerDialog::addFolder);
    connect(refresh, &QPushButton::clicked, this, &ModelManagerDialog::rescan);
    connect(m_table, &QTableWidget::itemSelectionChanged, this, &ModelManagerDialog::updateButtons);
    layout->addWidget(buttons);
    connect(&m_watcher, &QFutureWatcher<std::vector<orfeas::ModelFolderInfo>>::finished, this,
            [this] { showFolders(m_watcher.result()); });
    rescan();
}

ModelManagerDialog::~ModelManagerDialog()
{
    m_watcher.waitForFinished();
}

void ModelManagerDialog::rescan()
{
    if (m_watcher.isRunning())
        return;
    m_status->setText(tr("Searching…"));
    m_use->setEnabled(false);
    m_watcher.setFuture(QtConcurrent::run(scan, m_roots));
}

void ModelManagerDialog::addFolder()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Add a folder with models"));
    if (dir.isEmpty())
        return;
    if (!m_roots.contains(dir))
        m_roots << dir;
    rescan();
}

void ModelManagerDialog::showFolders(std::vector<orfeas::ModelFolderInfo> folders)
{
    ORFEAS_GUI_THREAD_ONLY();
    m_folders = std::move(folders);
    m_table->setRowCount(int(m_folders.size()));
    const QLocale loc;
    int usable = 0;
    for (int row = 0; row < int(m_folders.size()); ++row) {
        const auto& f = m_folders[std::size_t(row)];
        usable += f.usable ? 1 : 0;
        const QString params = f.parameters > 0
                                   ? tr("%1 M").arg(loc.toString(double(f.parameters) / 1e6, 'f', 0))
                                   : QString();
        QString variant = QString::fromStdString(f.variant);
        if (f.guidanceEmbed)
            variant += tr(" (distilled)");
        const QString cells[ColCount] = {variant,
                                         QString::fromStdString(f.repo),
                                         QString::fromStdString(f.dtype),
                                         f.bytes ? formatBytes(double(f.bytes)) : QString(),
                                         params,
                                         f.usable ? tr("usable") : QString::fromStdString(f.problem),
                                         QString::fromStdString(f.path)};
        for (int c = 0; c < ColCount; ++c) {
            auto* item = new QTableWidgetItem(cells[c]);
            item->setToolTip(cells[c]);
            if (c == ColStatus)
                item->setForeground(f.usable ? QColor(46, 140, 60) : QColor(190, 50, 40));
            m_table->setItem(row, c, item);
        }
        if (QString::fromStdString(f.path) == m_current)
            m_table->selectRow(row);
    }
    m_table->resizeColumnsToContents();
    QStringList searched;
    for (const auto& r : orfeas::modelSearchRoots())
        searched << QString::fromStdString(r);
    searched << m_roots;
    if (m_folders.empty())
        m_status->setText(tr("No model folders found. Searched: %1").arg(searched.join(QStringLiteral("; "))));
    else
        m_status->setText(tr("%n usable model folder(s).", nullptr, usable));
    updateButtons();
    Q_EMIT scanFinished(int(m_folders.size()));
}

void ModelManagerDialog::updateButtons()
{
    const int row = m_table->currentRow();
    m_use->setEnabled(row >= 0 && row < int(m_folders.size()) && m_folders[std::size_t(row)].usable);
}

} // namespace orfeas::ui
