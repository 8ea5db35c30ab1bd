#include "job_list_panel.h"

#include "icons.h"
#include "job_model.h"
#include "stage_text.h"

#include <QAction>
#include <QDesktopServices>
#include <QDir>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QListView>
#include <QMenu>
#include <QPainter>
#include <QToolButton>
#include <QUrl>
#include <QVBoxLayout>

namespace orfeas::ui {

namespace {
constexpr int kThumb = 48;
constexpr int kPad = 6;

QColor stateColor(orfeas::JobState s, const QPalette& pal)
{
    switch (s) {
    case orfeas::JobState::Queued: return pal.color(QPalette::Mid);
    case orfeas::JobState::Running: return pal.color(QPalette::Highlight);
    case orfeas::JobState::Done: return QColor(46, 160, 67);
    case orfeas::JobState::Failed: return QColor(200, 50, 40);
    case orfeas::JobState::Cancelled: return QColor(200, 140, 30);
    }
    return pal.color(QPalette::Mid);
}
} // namespace

QSize JobDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex&) const
{
    return QSize(option.rect.width() > 0 ? option.rect.width() : 260, kThumb + 2 * kPad);
}

void JobDelegate::paint(QPainter* p, const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    opt.text.clear();
    opt.icon = QIcon();
    QStyle* style = opt.widget ? opt.widget->style() : nullptr;
    if (style)
        style->drawPrimitive(QStyle::PE_PanelItemViewItem, &opt, p, opt.widget);

    const auto state = orfeas::JobState(index.data(JobModel::StateRole).toInt());
    const QRect r = option.rect.adjusted(kPad, kPad, -kPad, -kPad);
    p->save();
    p->setRenderHint(QPainter::Antialiasing);
    p->fillRect(QRect(option.rect.left(), option.rect.top() + 4, 3, option.rect.height() - 8),
                stateColor(state, option.palette));

    const QRect thumbRect(r.left() + 2, r.top(), kThumb, kThumb);
    const QImage thumb = index.data(JobModel::ThumbnailRole).value<QImage>();
    p->fillRect(thumbRect, option.palette.color(QPalette::AlternateBase));
    if (!thumb.isNull()) {
        const QImage scaled = thumb.scaled(thumbRect.size(), Qt::KeepAspectRatio, Qt::SmoothTransformation);
        p->drawImage(thumbRect.left() + (kThumb - scaled.width()) / 2, thumbRect.top() + (kThumb - scaled.height()) / 2,
                     scaled);
    }

    const bool selected = option.state & QStyle::State_Selected;
    const QColor text = option.palette.color(selected ? QPalette::HighlightedText : QPalette::Text);
    const int textLeft = thumbRect.right() + 10;
    const QString elapsed = formatSeconds(index.data(JobModel::ElapsedRole).toDouble());
    QFont bold = option.font;
    bold.setBold(true);
    const QFontMetrics fm(option.font);
    const int elapsedWidth = fm.horizontalAdvance(elapsed) + 4;
    const QRect nameRect(textLeft, r.top(), r.right() - textLeft - elapsedWidth, fm.height());
    p->setPen(text);
    p->setFont(bold);
    p->drawText(nameRect, Qt::AlignLeft | Qt::AlignVCenter,
                QFontMetrics(bold).elidedText(index.data(Qt::DisplayRole).toString(), Qt::ElideMiddle,
                                              nameRect.width()));
    p->setFont(option.font);
    if (state != orfeas::JobState::Queued)
        p->drawText(QRect(r.right() - elapsedWidth, r.top(), elapsedWidth, fm.height()),
                    Qt::AlignRight | Qt::AlignVCenter, elapsed);
    QColor dim = text;
    dim.setAlphaF(0.75f);
    p->setPen(state == orfeas::JobState::Failed && !selected ? stateColor(state, option.palette) : dim);
    const QRect statusRect(textLeft, r.top() + fm.height() + 2, r.right() - textLeft, fm.height());
    p->drawText(statusRect, Qt::AlignLeft | Qt::AlignVCenter,
                fm.elidedText(index.data(JobModel::StatusTextRole).toString(), Qt::ElideRight, statusRect.width()));

    if (state == orfeas::JobState::Running || state == orfeas::JobState::Queued) {
        const double fraction = index.data(JobModel::FractionRole).toDouble();
        const QRect bar(textLeft, r.bottom() - 5, r.right() - textLeft, 5);
        p->setPen(Qt::NoPen);
        // On a selected row the highlight colour is the background: draw the bar in the row's text colours.
        QColor track = selected ? option.palette.color(QPalette::HighlightedText) : option.palette.color(QPalette::Mid);
        if (selected)
            track.setAlphaF(0.35f);
        p->setBrush(track);
        p->drawRoundedRect(bar, 2, 2);
        p->setBrush(selected ? option.palette.color(QPalette::HighlightedText)
                             : stateColor(orfeas::JobState::Running, option.palette));
        p->drawRoundedRect(QRect(bar.left(), bar.top(), int(bar.width() * fraction), bar.height()), 2, 2);
    }
    p->restore();
}

JobListPanel::JobListPanel(JobModel* model, QWidget* parent)
    : QWidget(parent)
    , m_model(model)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_view = new QListView(this);
    m_view->setModel(model);
    m_view->setItemDelegate(new JobDelegate(m_view));
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setUniformItemSizes(true);
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    m_view->setMinimumWidth(240);
    layout->addWidget(m_view, 1);

    m_cancel = new QAction(icon(QStringLiteral("cancel")), tr("&Cancel Job"), this);
    m_cancel->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Period));
    m_retry = new QAction(icon(QStringLiteral("retry")), tr("&Retry Job"), this);
    m_retry->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    m_remove = new QAction(icon(QStringLiteral("remove")), tr("Re&move Job"), this);
    m_remove->setShortcut(QKeySequence::Delete);
    m_remove->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_reveal = new QAction(icon(QStringLiteral("folder")), tr("Show &Output"), this);
    m_reveal->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    m_clearFinished = new QAction(tr("Remove &Finished Jobs"), this);
    for (QAction* a : {m_cancel, m_retry, m_remove, m_reveal})
        m_view->addAction(a);

    auto* buttons = new QHBoxLayout;
    buttons->setContentsMargins(4, 0, 4, 4);
    for (QAction* a : {m_cancel, m_retry, m_remove, m_reveal}) {
        auto* b = new QToolButton(this);
        b->setDefaultAction(a);
        b->setToolButtonStyle(Qt::ToolButtonIconOnly);
        b->setAutoRaise(true);
        buttons->addWidget(b);
    }
    buttons->addStretch(1);
    layout->addLayout(buttons);

    connect(m_cancel, &QAction::triggered, this, [this] { m_model->cancel(currentJob()); });
    connect(m_retry, &QAction::triggered, this, [this] {
        if (const JobId id = m_model->retry(currentJob()))
            selectJob(id);
    });
    connect(m_remove, &QAction::triggered, this, [this] { m_model->remove(currentJob()); });
    connect(m_reveal, &QAction::triggered, this, &JobListPanel::reveal);
    connect(m_clearFinished, &QAction::triggered, m_model, &JobModel::removeFinished);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this, [this] {
        updateActions();
        Q_EMIT currentJobChanged(currentJob());
    });
    connect(model, &QAbstractItemModel::dataChanged, this, &JobListPanel::updateActions);
    connect(model, &QAbstractItemModel::rowsRemoved, this, [this] {
        updateActions();
        Q_EMIT currentJobChanged(currentJob());
    });
    connect(m_view, &QListView::customContextMenuRequested, this, [this](const QPoint& pos) {
        QMenu menu(this);
        menu.addActions({m_cancel, m_retry, m_remove, m_reveal});
        menu.addSeparator();
        menu.addAction(m_clearFinished);
        menu.exec(m_view->viewport()->mapToGlobal(pos));
    });
    updateActions();
}

JobId JobListPanel::currentJob() const
{
    const QModelIndex i = m_view->currentIndex();
    return i.isValid() ? i.data(JobModel::IdRole).value<JobId>() : 0;
}

void JobListPanel::selectJob(JobId id)
{
    const int row = m_model->rowOf(id);
    if (row >= 0)
        m_view->setCurrentIndex(m_model->index(row));
}

void JobListPanel::updateActions()
{
    const JobRecord* r = m_model->job(currentJob());
    m_cancel->setEnabled(r && r->isActive());
    m_retry->setEnabled(r && !r->isActive());
    m_remove->setEnabled(r != nullptr);
    m_reveal->setEnabled(r && r->outcome && !r->outcome->outputs.isEmpty());
}

void JobListPanel::reveal()
{
    const JobRecord* r = m_model->job(currentJob());
    if (!r || !r->outcome || r->outcome->outputs.isEmpty())
        return;
    // File managers differ in how they select a file; opening its folder works everywhere.
    QDesktopServices::openUrl(QUrl::fromLocalFile(QFileInfo(r->outcome->outputs.first()).absolutePath()));
}

} // namespace orfeas::ui
