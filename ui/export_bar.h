#pragma once
// Export options next to the drop zone: destination folder, formats, and a button that opens the folder.

#include "orfeas/settings.h"

#include <QWidget>

#include <vector>

class QCheckBox;
class QLineEdit;

namespace orfeas::ui {

class ExportBar : public QWidget {
    Q_OBJECT
public:
    explicit ExportBar(QWidget* parent = nullptr);

    void setOutputDir(const QString& dir);
    QString outputDir() const;
    void setFormats(const std::vector<orfeas::ExportFormat>& formats);
    std::vector<orfeas::ExportFormat> formats() const;

Q_SIGNALS:
    void changed();
    void openFolderRequested();

private:
    void chooseFolder();

    QLineEdit* m_dir = nullptr;
    QCheckBox* m_formats[4] = {};
};

} // namespace orfeas::ui
