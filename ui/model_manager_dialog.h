#pragma once
// The Hunyuan3D-2 model folders found on this machine (search roots plus folders the user added): variant,
// weights dtype, size, usable or what is wrong. Choosing one sets the model folder. Scanning reads only config
// files and safetensors headers, on a worker thread.

#include "orfeas/models.h"

#include <QDialog>
#include <QFutureWatcher>

#include <vector>

class QLabel;
class QPushButton;
class QTableWidget;

namespace orfeas::ui {

class ModelManagerDialog : public QDialog {
    Q_OBJECT
public:
    ModelManagerDialog(const QStringList& modelRoots, const QString& currentFolder, QWidget* parent = nullptr);
    ~ModelManagerDialog() override;

    // The folder chosen with "Use this model" (empty if none).
    QString chosenFolder() const { return m_chosen; }
    // The extra roots, including any added here.
    QStringList modelRoots() const { return m_roots; }
    // Rows currently listed (tests).
    int folderCount() const { return int(m_folders.size()); }

Q_SIGNALS:
    void scanFinished(int folders);

private:
    void rescan();
    void addFolder();
    void showFolders(std::vector<orfeas::ModelFolderInfo> folders);
    void updateButtons();

    QStringList m_roots;
    QString m_current;
    QString m_chosen;
    std::vector<orfeas::ModelFolderInfo> m_folders;
    QFutureWatcher<std::vector<orfeas::ModelFolderInfo>> m_watcher;
    QTableWidget* m_table = nullptr;
    QLabel* m_status = nullptr;
    QPushButton* m_use = nullptr;
};

} // namespace orfeas::ui
