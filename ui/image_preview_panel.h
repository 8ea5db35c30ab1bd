#pragma once
// The input image next to what the shape backend saw (the recentred square image) and the subject mask, so a
// failed background removal is visible at a glance.

#include <QImage>
#include <QWidget>

class QLabel;

namespace orfeas::ui {

class ImagePreviewPanel : public QWidget {
    Q_OBJECT
public:
    explicit ImagePreviewPanel(QWidget* parent = nullptr);

    // Any image may be null (e.g. before a job finished, or a run that failed early).
    void showImages(const QImage& input, const QImage& preprocessed, const QImage& mask, bool alphaFromFile);
    void clear();

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    struct Slot {
        QLabel* caption = nullptr;
        QLabel* picture = nullptr;
        QImage image;
    };
    void refresh();
    Slot m_slots[3];
    QLabel* m_note = nullptr;
};

} // namespace orfeas::ui
