#pragma once
// The engine's log for all jobs, with a level filter; also appended to a log file in the application's data
// folder (QStandardPaths::AppLocalDataLocation/logs), so a problem can be reported after the window is closed.

#include <QFile>
#include <QWidget>

#include <deque>
#include <utility>

class QComboBox;
class QPlainTextEdit;

namespace orfeas::ui {

class LogPanel : public QWidget {
    Q_OBJECT
public:
    // `logFile` empty: no file.
    explicit LogPanel(const QString& logFile, QWidget* parent = nullptr);

    int lineCount() const;
    QString text() const;

public Q_SLOTS:
    // level is int(orfeas::LogLevel).
    void append(quint64 jobId, const QString& jobName, int level, const QString& text);
    void clear();

private:
    QComboBox* m_filter = nullptr;
    QPlainTextEdit* m_text = nullptr;
    void refilter();

    QFile m_file;
    int m_lines = 0;
    std::deque<std::pair<int, QString>> m_entries; // (level, line), the last kMaxLines
    static constexpr int kMaxLines = 5000;
};

} // namespace orfeas::ui
