#include "drop_zone.h"

#include "gui_thread.h"

#include <QDragEnterEvent>
#include <QDropEvent>
#include <QLabel>
#include <QMimeData>
#include <QMouseEvent>
#include <QPushButton>
#include <QTimer>
#include <QUrl>
#include <QVBoxLayout>

namespace orfeas::ui {

DropZone::DropZone(QWidget* parent)
    : QFrame(parent)
{
    setObjectName(QStringLiteral("dropZone"));
    setAcceptDrops(true);
    setFrameShape(QFrame::StyledPanel);
    setMinimumHeight(110);
    setCursor(Qt::PointingHandCursor);
    setToolTip(tr("Drop images or folders here, click to open files, or paste an image with Ctrl+V"));
    auto* layout = new QVBoxLayout(this);
    m_hint = new QLabel(tr("Drop images or folders here\nclick to browse · Ctrl+V to paste"), this);
    m_hint->setAlignment(Qt::AlignCenter);
    m_hint->setWordWrap(true);
    QFont f = m_hint->font();
    f.setPointSizeF(f.pointSizeF() * 1.1);
    m_hint->setFont(f);
    layout->addWidget(m_hint, 1);
    m_message = new QLabel(this);
    m_message->setObjectName(QStringLiteral("dropZoneMessage"));
    m_message->setWordWrap(true);
    m_message->setTextFormat(Qt::PlainText);
    m_message->setAlignment(Qt::AlignCenter);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_message->hide();
    layout->addWidget(m_message);
    m_fade = new QTimer(this);
    m_fade->setSingleShot(true);
    m_fade->setInterval(6000);
    connect(m_fade, &QTimer::timeout, this, &DropZone::clearMessage);
    setHighlighted(false);
}

void DropZone::setHighlighted(bool on)
{
    const QColor accent = palette().color(QPalette::Highlight);
    setStyleSheet(QStringLiteral("QFrame#dropZone { border: 2px dashed %1; border-radius: 8px; %2 }")
                      .arg(on ? accent.name() : palette().color(QPalette::Mid).name(),
                           on ? QStringLiteral("background: %1;").arg(accent.lighter(185).name()) : QString()));
}

void DropZone::showMessage(const QString& text, bool warning)
{
    ORFEAS_GUI_THREAD_ONLY();
    m_message->setText(text);
    m_message->setStyleSheet(warning ? QStringLiteral("color: #b3261e;") : QString());
    m_message->setVisible(!text.isEmpty());
    m_warning = warning;
    if (warning)
        m_fade->stop();
    else
        m_fade->start();
}

void DropZone::clearMessage()
{
    m_warning = false;
    m_message->clear();
    m_message->hide();
}

void DropZone::clearNotice()
{
    if (!m_warning)
        clearMessage();
}

QString DropZone::message() const
{
    return m_message->text();
}

void DropZone::dragEnterEvent(QDragEnterEvent* event)
{
    const QMimeData* mime = event->mimeData();
    if (mime->hasUrls() || mime->hasImage()) {
        event->acceptProposedAction();
        setHighlighted(true);
    }
}

void DropZone::dragLeaveEvent(QDragLeaveEvent* event)
{
    setHighlighted(false);
    QFrame::dragLeaveEvent(event);
}

void DropZone::dropEvent(QDropEvent* event)
{
    setHighlighted(false);
    const QMimeData* mime = event->mimeData();
    QStringList paths;
    QStringList remote;
    for (const QUrl& url : mime->urls()) {
        if (url.isLocalFile())
            paths << url.toLocalFile();
        else
            remote << url.toDisplayString();
    }
    if (!remote.isEmpty())
        showMessage(tr("Only local files can be opened; skipped: %1").arg(remote.join(QStringLiteral(", "))), true);
    if (!paths.isEmpty()) {
        Q_EMIT pathsDropped(paths);
    } else if (mime->hasImage()) {
        const QImage image = qvariant_cast<QImage>(mime->imageData());
        if (!image.isNull())
            Q_EMIT imageDropped(image, tr("Dropped image"));
    }
    event->acceptProposedAction();
}

void DropZone::mouseReleaseEvent(QMouseEvent* event)
{
    if (event->button() == Qt::LeftButton && rect().contains(event->position().toPoint()))
        Q_EMIT openRequested();
    QFrame::mouseReleaseEvent(event);
}

} // namespace orfeas::ui
