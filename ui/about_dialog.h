#pragma once
// Version, build, backends available on this machine, GPU, where settings and logs live, licence.

#include <QDialog>

namespace orfeas::ui {

class AboutDialog : public QDialog {
    Q_OBJECT
public:
    explicit AboutDialog(const QString& gpuLine, QWidget* parent = nullptr);
};

} // namespace orfeas::ui
