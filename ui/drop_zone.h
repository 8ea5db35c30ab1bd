#pragma once
// Where images come in: drag and drop of files and folders (or raw image data), a button for the Open dialog,
// and an inline message line for what was refused (never a dialog per bad file).

#include <QFrame>
#include <QImage>
#include <QStringList>

class QLabel;
class QTimer;

namespace orfeas::ui {

class DropZone : public QFrame {
    Q_OBJECT
public:
    explicit DropZone(QWidget* parent = nullptr);

    // Shows a message under the hint; warnings stay until replaced, information fades after a while.
    void showMessage(const QString& text, bool warning);
    void clearMessage();
    // Clears the message unless it is a warning (warnings stay until the next message).
    void clearNotice();
    QString message() const;

Q_SIGNALS:
    void pathsDropped(const QStringList& paths);
    void imageDropped(const QImage& image, const QString& name);
    void openRequested();

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dragLeaveEvent(QDragLeaveEvent* event) override;
    void dropEvent(QDropEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;

private:
    void setHighlighted(bool on);

    QLabel* m_hint = nullptr;
    QLabel* m_message = nullptr;
    QTimer* m_fade = nullptr;
    bool m_warning = false;
};

} // namespace orfeas::ui
