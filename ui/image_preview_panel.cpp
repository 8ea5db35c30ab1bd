#include "image_preview_panel.h"

#include "gui_thread.h"

#include <QGridLayout>
#include <QLabel>
#include <QPainter>

namespace orfeas::ui {

namespace {

// Transparent pixels over a checkerboard, so an empty alpha shows as what it is.
QPixmap onCheckerboard(const QImage& image, const QSize& box)
{
    const QImage scaled = image.scaled(box, Qt::KeepAspectRatio, Qt::SmoothTransformation);
    QPixmap out(scaled.size());
    QPainter p(&out);
    const int cell = 8;
    for (int y = 0; y < out.height(); y += cell)
        for (int x = 0; x < out.width(); x += cell)
            p.fillRect(x, y, cell, cell, ((x / cell + y / cell) % 2) ? QColor(200, 200, 200) : QColor(245, 245, 245));
    p.drawImage(0, 0, scaled);
    return out;
}

} // namespace

ImagePreviewPanel::ImagePreviewPanel(QWidget* parent)
    : QWidget(parent)
{
    auto* grid = new QGridLayout(this);
    const QString captions[3] = {tr("Input"), tr("Seen by the shape stage"), tr("Mask")};
    for (int i = 0; i < 3; ++i) {
        m_slots[i].caption = new QLabel(captions[i], this);
        m_slots[i].caption->setAlignment(Qt::AlignCenter);
        m_slots[i].picture = new QLabel(this);
        m_slots[i].picture->setAlignment(Qt::AlignCenter);
        m_slots[i].picture->setMinimumSize(64, 64);
        m_slots[i].picture->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Ignored);
        grid->addWidget(m_slots[i].caption, 0, i);
        grid->addWidget(m_slots[i].picture, 1, i);
        grid->setColumnStretch(i, 1);
    }
    grid->setRowStretch(1, 1);
    m_note = new QLabel(this);
    m_note->setWordWrap(true);
    grid->addWidget(m_note, 2, 0, 1, 3);
    clear();
}

void ImagePreviewPanel::showImages(const QImage& input, const QImage& preprocessed, const QImage& mask,
                                   bool alphaFromFile)
{
    ORFEAS_GUI_THREAD_ONLY();
    m_slots[0].image = input;
    m_slots[1].image = preprocessed;
    m_slots[2].image = mask;
    if (input.isNull() && preprocessed.isNull())
        m_note->setText(tr("The input, the image the shape stage sees and the mask appear here when the job ends."));
    else if (preprocessed.isNull())
        m_note->setText(tr("Preprocessing did not finish for this job."));
    else
        m_note->setText(alphaFromFile ? tr("The mask comes from the image's own transparency.")
                                      : tr("The mask comes from background removal: check that it covers the "
                                           "subject and nothing else."));
    refresh();
}

void ImagePreviewPanel::clear()
{
    showImages({}, {}, {}, false);
}

void ImagePreviewPanel::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    refresh();
}

void ImagePreviewPanel::refresh()
{
    for (auto& slot : m_slots) {
        const QSize box = slot.picture->size().boundedTo(QSize(1024, 1024)) - QSize(4, 4);
        if (slot.image.isNull() || box.width() < 8 || box.height() < 8)
            slot.picture->setPixmap(QPixmap());
        else
            slot.picture->setPixmap(onCheckerboard(slot.image, box));
    }
}

} // namespace orfeas::ui
