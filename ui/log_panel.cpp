#include "log_panel.h"

#include "gui_thread.h"

#include "orfeas/run_context.h"

#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace orfeas::ui {

LogPanel::LogPanel(const QString& logFile, QWidget* parent)
    : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    auto* bar = new QHBoxLayout;
    m_filter = new QComboBox(this);
    m_filter->addItem(tr("Debug and above"), int(orfeas::LogLevel::Debug));
    m_filter->addItem(tr("Info and above"), int(orfeas::LogLevel::Info));
    m_filter->addItem(tr("Warnings and errors"), int(orfeas::LogLevel::Warning));
    m_filter->addItem(tr("Errors only"), int(orfeas::LogLevel::Error));
    m_filter->setCurrentIndex(1);
    connect(m_filter, &QComboBox::currentIndexChanged, this, &LogPanel::refilter);
    bar->addWidget(m_filter);
    bar->addStretch(1);
    auto* clearButton = new QPushButton(tr("Clear"), this);
    connect(clearButton, &QPushButton::clicked, this, &LogPanel::clear);
    bar->addWidget(clearButton);
    layout->addLayout(bar);
    m_text = new QPlainTextEdit(this);
    m_text->setReadOnly(true);
    m_text->setMaximumBlockCount(kMaxLines);
    m_text->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_text->setFont(QFont(QStringLiteral("monospace")));
    layout->addWidget(m_text, 1);

    if (!logFile.isEmpty()) {
        QDir().mkpath(QFileInfo(logFile).absolutePath());
        m_file.setFileName(logFile);
        if (!m_file.open(QIODevice::Append | QIODevice::Text))
            m_text->appendPlainText(tr("Cannot write the log file %1: %2").arg(logFile, m_file.errorString()));
    }
}

int LogPanel::lineCount() const
{
    return m_lines;
}

QString LogPanel::text() const
{
    return m_text->toPlainText();
}

void LogPanel::append(quint64 jobId, const QString& jobName, int level, const QString& text)
{
    ORFEAS_GUI_THREAD_ONLY();
    const char* levelName = orfeas::logLevelName(orfeas::LogLevel(level));
    const QString line = QStringLiteral("%1 %2 %3%4")
                             .arg(QDateTime::currentDateTime().toString(QStringLiteral("HH:mm:ss")),
                                  QString::fromLatin1(levelName).leftJustified(7),
                                  jobName.isEmpty() ? QString() : QStringLiteral("[%1] ").arg(jobName), text);
    if (m_file.isOpen()) {
        m_file.write(QStringLiteral("%1 #%2 %3\n")
                         .arg(QDateTime::currentDateTime().toString(Qt::ISODateWithMs))
                         .arg(jobId)
                         .arg(line.mid(9))
                         .toUtf8());
        m_file.flush();
    }
    ++m_lines;
    m_entries.emplace_back(level, line);
    if (int(m_entries.size()) > kMaxLines)
        m_entries.pop_front();
    if (level >= m_filter->currentData().toInt())
        m_text->appendPlainText(line);
}

void LogPanel::clear()
{
    m_text->clear();
    m_entries.clear();
    m_lines = 0;
}

void LogPanel::refilter()
{
    const int minimum = m_filter->currentData().toInt();
    QStringList lines;
    for (const auto& [level, line] : m_entries)
        if (level >= minimum)
            lines << line;
    m_text->setPlainText(lines.join(QLatin1Char('\n')));
}

} // namespace orfeas::ui
